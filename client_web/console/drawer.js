// One room beside the grid: its heading and clock, its controls, the sign-off
// requests waiting in it, its seats (who, here or away, a bot for a seat that is
// empty or whose person is gone), a word to the room or one side, the replay and
// putting it on the projector, and (below the replay, which replay.js draws) the
// transcript.
import { html, t } from "../html.js";
import { ROLES, timeLeft } from "./state.js";
import { botSeat } from "./rules.js";
import { Controls, Flags, Presence } from "./grid.js";
import { SignOffs } from "./signoff.js";
import { clock } from "./format.js";

function Seats({ room, bot }) {
  return html`<div class="seats">
    ${ROLES.map((role) => {
      const rule = botSeat(room, role);
      const seat = room.seats && room.seats[role];
      return html`<div key=${role} class="seat-card" data-role=${role}>
        <span class="role-name">${t("role_head." + role)}</span>
        <span class="seat-who"><${Presence} room=${room} role=${role} /></span>
        <span class="seat-actions">
          ${seat && html`<a href=${seat.url} target="_blank" rel="noopener">${t("seat.join_link")}</a>`}
          <button type="button" id=${"bot-" + role} disabled=${!rule.allowed}
                  title=${rule.allowed ? null : t("bot.why_not")}
                  onClick=${() => bot(room, role, rule)}>${t("bot_" + role)}</button>
        </span>
      </div>`;
    })}
  </div>`;
}

function Say({ room, say }) {
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = form.elements.text.value.trim();
    if (!text) return;
    form.elements.text.value = "";  // at once: the next word may be typed while this one goes
    say(room, text, form.elements.to.value).then((sent) => {
      if (!sent && !form.elements.text.value) form.elements.text.value = text;  // refused: keep it
    });
  };
  return html`<form id="say" class="talk" onSubmit=${submit}>
    <label for="say-text">${t("announce_or_mediate")}</label>
    <div class="talk-row">
      <input id="say-text" name="text" maxlength="2000" />
      <select id="say-to" name="to" aria-label=${t("say_to")}>
        <option value="room">${t("announce_room")}</option>
        <option value="buyer">${t("mediate_buyer")}</option>
        <option value="seller">${t("mediate_seller")}</option>
        <option value="all">${t("announce_all")}</option>
      </select>
      <button type="submit">${t("send")}</button>
    </div>
  </form>`;
}

// The room's replay on the projector, in place of the cohort, until stopped: one
// room at a time (showing another takes its place).
function OnProjector({ room, spotlit, spotlight }) {
  return html`
    ${spotlit && html`<span id="spotlight-on" class="on-projector">${t("spotlight.on_projector")}</span>`}
    <button type="button" id="spotlight-toggle" aria-pressed=${spotlit ? "true" : "false"}
            onClick=${() => spotlight(room, !spotlit)}>${t(spotlit ? "spotlight.stop" : "spotlight.show")}</button>`;
}

export function DrawerTop({ room, scenario, now, close, act, bot, say, decide, openReplay, spotlit, spotlight }) {
  const left = timeLeft(room, now);
  return html`
    <div class="drawer-head">
      <h2 id="detail-h">${room.label || room.id} · ${t("phase." + room.phase)}${
        room.outcome ? ` (${t("outcome." + room.outcome)})` : ""}</h2>
      ${left != null && room.phase !== "ended" && html`<span class="left" title=${t("time_left")}>${clock(left)}</span>`}
      <button type="button" id="detail-close" class="close" aria-label=${t("close")} onClick=${close}>×</button>
    </div>
    <p class="flags"><${Flags} room=${room} now=${now} /></p>
    <${Controls} room=${room} act=${act} />
    <${SignOffs} room=${room} scenario=${scenario} decide=${decide} />
    <${Seats} room=${room} bot=${bot} />
    <${Say} room=${room} say=${say} />
    <div class="actions"><button type="button" id="replay-open" onClick=${openReplay}>${t("replay.open")}</button>
      <${OnProjector} room=${room} spotlit=${spotlit} spotlight=${spotlight} /></div>`;
}
