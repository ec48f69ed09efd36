// The rooms of the workshop, one row each: who sits where and whether they are
// here, where the room stands, its last move, why it needs the facilitator, and
// its controls (only those that can succeed now are enabled: rules.js).
import { html, t } from "../html.js";
import { ROLES, timeLeft } from "./state.js";
import { attention, controls } from "./rules.js";
import { clock, time } from "./format.js";

export const ACTIONS = ["pause", "resume", "extend", "end"];

// The room's controls, in the grid and in the drawer alike.
export function Controls({ room, act }) {
  const enabled = controls(room);
  return html`<div class="controls">
    ${ACTIONS.map((action) => html`
      <button key=${action} type="button" data-action=${action} class=${action === "end" ? "danger" : null}
              disabled=${!enabled[action]} onClick=${() => act(room, action)}>${t(action)}</button>`)}
  </div>`;
}

export function Flags({ room, now }) {
  const reasons = attention(room, now);
  const waiting = Object.keys(room.pending).length;
  return html`
    ${waiting > 0 && html`<span class="approval-badge">${t("approvals_waiting", { n: waiting })}</span>`}
    ${reasons.filter((r) => r.key !== "sign_off").map((r) => html`
      <span key=${r.key + (r.role || "")} class=${"flag flag-" + r.key}>${flagText(r)}</span>`)}`;
}

function flagText(reason) {
  if (reason.key === "gone") {
    return t("flag.gone", { who: reason.name || t("role." + reason.role), time: reason.since ? time(reason.since) : "?" });
  }
  if (reason.key === "idle") return t("flag.idle", { n: reason.minutes });
  return t("flag.deadlock");
}

// A seat: its participant's name and presence; its join link and QR code.
export function Presence({ room, role }) {
  const seat = room.presence[role];
  if (!seat) return html`<span class="who empty">${t("seat.empty")}</span>`;
  return html`
    <span class="who">${seat.name || t("role." + role)}</span>
    <span class=${seat.here ? "presence here" : "presence away"}>${seat.here
      ? t("presence.here") : t("presence.away", { time: seat.since ? time(seat.since) : "?" })}</span>`;
}

function SeatLinks({ room, role }) {
  const seat = room.seats && room.seats[role];
  if (!seat) return null;
  return html`<span class="seat-links">
    <a class="join" data-role=${role} href=${seat.url} target="_blank" rel="noopener">${t("seat.join_link")}</a>
    <a class="qr" href=${`/qr/${encodeURIComponent(seat.token)}.svg`} target="_blank" rel="noopener"
       aria-label=${t("seat.qr_of", { role: t("role." + role) })}>QR</a>
  </span>`;
}

function Status({ room, now }) {
  const left = timeLeft(room, now);
  return html`
    <span class=${"phase-name phase-" + room.phase}>${t("phase." + room.phase)}</span>
    ${room.phase === "ended" && room.outcome
      ? html`<span class="outcome">${t("outcome." + room.outcome)}</span>`
      : left != null && html`<span class="left" title=${t("time_left")}>${clock(left)}</span>`}`;
}

function LastMove({ room, now }) {
  const move = room.lastMove;
  return html`
    ${move ? html`<span class="what">${t("role." + move.by)} ${t("kind." + move.kind)}</span>
                   <span class="ago">${ago(now + room.clockSkew - move.at)}</span>`
           : html`<span class="what none">${t("no_move_yet")}</span>`}
    <span class="offers">${t("offers_n", { n: room.offers })}</span>`;
}

export function ago(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t("ago.seconds", { n: s });
  return t("ago.minutes", { n: Math.floor(s / 60) });
}

export function Grid({ rooms, now, selected, open, act }) {
  return html`
    <table id="grid" class="grid">
      <thead><tr>
        <th scope="col">${t("room")}</th><th scope="col">${t("phase")}</th>
        <th scope="col">${t("role_head.buyer")}</th><th scope="col">${t("role_head.seller")}</th>
        <th scope="col">${t("last_move")}</th><th scope="col">${t("control")}</th>
      </tr></thead>
      <tbody>
        ${rooms.map((room) => html`
          <tr key=${room.id} data-room=${room.id} data-phase=${room.phase}
              class=${[room.id === selected && "selected", attention(room, now).length && "needs-me"].filter(Boolean).join(" ") || null}>
            <td class="room-cell">
              <button type="button" class="link-button" aria-expanded=${room.id === selected}
                      onClick=${() => open(room.id)}>${room.label || room.id}</button>
              <${Flags} room=${room} now=${now} />
            </td>
            <td class="phase"><${Status} room=${room} now=${now} /></td>
            ${ROLES.map((role) => html`
              <td key=${role} class="seat" data-role=${role}>
                <${Presence} room=${room} role=${role} /><${SeatLinks} room=${room} role=${role} />
              </td>`)}
            <td class="last-move"><${LastMove} room=${room} now=${now} /></td>
            <td class="control"><${Controls} room=${room} act=${act} /></td>
          </tr>`)}
      </tbody>
    </table>`;
}
