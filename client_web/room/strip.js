// The top of the room: one line saying what happens now (whose turn, paused with
// the time left, waiting for sign-off, ended, reconnecting), the counterpart's
// presence, and the banners a person cannot miss: their new offer, an
// announcement, the facilitator's word to you, what happened while you were away.
import { cap, html, t } from "../html.js";
import { clock, time } from "./format.js";
import { counterpart, timeLeft } from "./state.js";
import { translateValues } from "./composer.js";

const LEFT = { paused: "time_left_paused", waiting: "time_once_started" };

export function Strip({ state, status, now, elsewhere }) {
  const them = counterpart(state.role);
  const left = timeLeft(state, now);
  const presence = state.presence[them];
  return html`
    <div id="status" class="status" data-tone=${status.tone} role="status">
      <p class="now"><strong id="now">${cap(t(status.key, translateValues(status.values)))}</strong>
        ${left !== null && html` <span class="left" id="clock" role="timer" aria-label=${t("time_left")}>${t(LEFT[state.phase] || "time_left_short",
                                                            { time: clock(left) })}</span>`}</p>
      ${state.deadlock && state.phase !== "ended" && html`<p class="deadlock" id="deadlock">
        ${t("deadlock", { n: state.deadlock })} ${t("deadlock_hint")}</p>`}
      ${elsewhere && html`<p class="elsewhere" id="elsewhere">${t("elsewhere")}</p>`}
      ${state.phase !== "ended" && html`<p class="presence" id="presence">
        ${cap(t("role." + them))}${presence && presence.name ? ` (${presence.name})` : ""}: ${
          !presence ? t("presence.not_yet") : presence.here ? t("presence.here")
          : t("presence.away", { time: time(presence.since) })}</p>`}
    </div>`;
}

// Banners stay until dismissed: a phone's screen is small and a person may look
// away; what matters must still be there when they look back.
export function Banners({ banners, dismiss }) {
  if (!banners.length) return null;
  return html`
    <div id="banner" class="banners" role="alert">
      ${banners.map((b) => html`
        <div key=${b.id} class="banner" data-kind=${b.kind}>
          <p>${b.text}</p>
          <button type="button" class="quiet" onClick=${() => dismiss(b.id)}>${t("dismiss")}</button>
        </div>`)}
    </div>`;
}
