// A room's transcript for the facilitator, newest first: each offer with its time,
// class, both private scores and every issue's value (what changed since that
// side's previous offer as old -> new), messages with their intent (a mediator's
// private word marked as such), sign-offs, and every facilitator and system event.
import { html, t } from "../html.js";
import { shown, stamp, scenarioText } from "./format.js";

function who(e, room) {
  if (e.by === "system") return t("role.system");
  const seat = room.presence[e.by];
  const name = seat && seat.name;
  return name ? `${t("role." + e.by)} (${name})` : t("role." + e.by);
}

function Terms({ e, previous, scenario }) {
  return html`<dl class="offer-terms">
    ${scenario.issues.map((issue) => {
      const now = e.terms[issue.id], before = previous && previous[issue.id];
      const moved = previous && before !== now;
      return html`<div key=${issue.id} class=${moved ? "moved" : null}>
        <dt>${issue.label}</dt>
        <dd>${moved ? html`<span class="old">${shown(issue, before, scenario)}</span> → <strong>${shown(issue, now, scenario)}</strong>`
                    : shown(issue, now, scenario)}</dd>
      </div>`;
    })}
  </dl>`;
}

function scores(scenario, terms) {
  const score = (role) => window.Scoring.score(scenario.issues, scenario.roles[role], terms);
  return t("scores", { b: score("buyer"), s: score("seller") });
}

function Body({ e, previous, room, scenario }) {
  switch (e.kind) {
    case "offer":
      return html`<span class="cls">(${t("class." + e.class)})</span> · <span class="scores">${scores(scenario, e.terms)}</span>
        <${Terms} e=${e} previous=${previous} scenario=${scenario} />`;
    case "message":
      return html`${e.to && html`<span class="private-to">${t("private_to", { role: t("role." + e.to) })}</span> `}${
        e.intent && html`<span class="intent">${t(e.intent)}</span> `}<q class="text">${e.text}</q>`;
    case "announcement": return html`<span class="private-to">${t("to_everyone")}</span> <q class="text">${e.text}</q>`;
    case "rejected": case "walked_away": return e.reason ? html`<q class="text">${e.reason}</q>` : null;
    case "accepted": return html`<span class="ref">#${e.offer}</span>`;
    case "agreement":
      return html`<span class="scores">${scores(scenario, e.terms)}</span>
        <${Terms} e=${e} previous=${null} scenario=${scenario} />`;
    case "deadlock": return t("deadlock", { n: e.offers });
    case "extended": return t("extended", { minutes: Math.round(e.seconds / 60) });
    case "ended": return t("outcome." + e.outcome);
    case "approval_requested": {
      const past = scenario.issues.filter((i) => e.issues.includes(i.id)).map((i) => i.label).join(", ");
      return html`<span class="cls">${t(e.action === "accept" ? "accept" : "offered")} · ${t("needs_sign_off")}</span> (${past})`;
    }
    case "approval_decided":
      return html`#${e.request} → ${t("role." + e.role)}: ${
        t(!e.approved ? "sign_off_declined" : e.applied ? "sign_off_approved" : "sign_off_lapsed")}${
        e.note && html` <q class="text">${e.note}</q>`}${e.reason && ` (${e.reason})`}`;
    default: return null;
  }
}

export function Transcript({ room, scenario }) {
  const text = scenarioText(scenario);
  if (!text) return html`<p class="empty">${t("loading")}</p>`;
  // Each offer beside the same role's offer before it (rejected or not: the
  // referee classifies against it too), so an entry shows old -> new.
  const last = {};
  const entries = room.log.map((e) => {
    const previous = e.kind === "offer" ? last[e.by] || null : null;
    if (e.kind === "offer") last[e.by] = e.terms;
    return { e, previous };
  }).reverse();
  return html`
    <h3 class="log-h">${t("transcript")}</h3>
    ${entries.length === 0 && html`<p class="empty">${t("nothing_yet")}</p>`}
    <ol id="transcript" class="timeline console-log">
      ${entries.map(({ e, previous }) => html`
        <li key=${e.seq} data-seq=${e.seq} data-kind=${e.kind} data-by=${e.by}
            class=${e.to ? "private" : e.by === "facilitator" ? "by-facilitator" : null}>
          <div class="head"><time class="at">${stamp(e.at)}</time> <strong class="who">${who(e, room)}</strong> <span class="kind">${t("kind." + e.kind)}</span></div>
          <div class="body"><${Body} e=${e} previous=${previous} room=${room} scenario=${text} /></div>
        </li>`)}
    </ol>`;
}
