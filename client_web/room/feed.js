// The conversation: a compact timeline (an offer shows what changed, not every
// issue again; a message its text; the facilitator's private word to you is
// marked as only yours) and, apart from the offer, the box to write a message.
import { html, t } from "../html.js";
import { shown, time } from "./format.js";
import { changed } from "./terms.js";
import { Actions } from "./composer.js";

function who(e, me) {
  if (e.by === "facilitator") return t("role.facilitator");
  if (e.by === "system") return "";
  return e.by === me ? t("you") : t("role." + e.by);
}

// Each offer next to the same role's offer before it, so an entry can say "price
// 620 -> 600" instead of listing the whole package again.
function withPrevious(feed) {
  const last = {};
  return feed.map((e) => {
    const previous = e.kind === "offer" ? last[e.by] || null : null;
    if (e.kind === "offer") last[e.by] = e.terms;
    return { e, previous };
  });
}

function OfferBody({ e, previous, scenario }) {
  const moved = changed(scenario.issues, previous, e.terms);
  if (previous && moved.length === 0) return html`<span class="what">${t("no_change")}</span>`;
  const issues = previous ? moved : scenario.issues;
  // Lines, not a nested list: the timeline's entries stay its only list items.
  const items = issues.map((issue) => html`<div key=${issue.id}>${issue.label}: ${previous
    ? html`${shown(issue, previous[issue.id], scenario)} → <strong>${shown(issue, e.terms[issue.id], scenario)}</strong>`
    : html`<strong>${shown(issue, e.terms[issue.id], scenario)}</strong>`}</div>`);
  return previous ? html`<div class="changes">${items}</div>`
    : html`<details><summary>${t("all_terms", { n: issues.length })}</summary><div class="changes">${items}</div></details>`;
}

function Entry({ e, previous, state }) {
  const me = state.role;
  const at = html`<time class="at">${time(e.at)}</time>`;
  const head = (label, tag) => html`<div class="head"><strong>${label}</strong>${tag && html` <span class="cls">${tag}</span>`}${at}</div>`;
  switch (e.kind) {
    case "offer":
      return html`${head(who(e, me), t("class." + e.class) + (e.concede ? " ✓" : ""))}
        <${OfferBody} e=${e} previous=${previous} scenario=${state.scenario} />`;
    case "message":
      if (e.by === "facilitator" && e.to) {
        return html`${head(t("role.facilitator"), t("only_to_you"))}<p class="text">${e.text}</p>`;
      }
      return html`${head(who(e, me), e.intent ? t(e.intent) : null)}<p class="text">${e.text}</p>`;
    case "announcement":
      return html`${head(t("role.facilitator"), t("to_everyone"))}<p class="text">${e.text}</p>`;
    case "rejected":
      return html`${head(who(e, me), t("rejected_offer"))}${e.reason && html`<p class="text">${e.reason}</p>`}`;
    case "walked_away":
      return html`${head(who(e, me), t("walk_away"))}${e.reason && html`<p class="text">${e.reason}</p>`}`;
    case "deadlock":
      return html`${head(t("deadlock", { n: e.offers }))}`;
    case "approval_requested":
      return html`${head(t("you"), t("needs_sign_off"))}<p class="text">${t("sign_off_asked", {
        issues: state.scenario.issues.filter((i) => e.issues.includes(i.id)).map((i) => i.label).join(", ") })}</p>`;
    case "approval_decided":
      return html`${head(t("role.facilitator"),
        t(!e.approved ? "sign_off_declined" : e.applied ? "sign_off_approved" : "sign_off_lapsed"))}
        ${(e.note || e.reason) && html`<p class="text">${[e.note, e.reason].filter(Boolean).join(" ")}</p>`}`;
    case "paused": return head(t("paused"));
    case "resumed": return head(t("resumed"));
    case "extended": return head(t("extended", { minutes: Math.round(e.seconds / 60) }));
    default: return head(e.kind);
  }
}

export function Feed({ state, gates, say }) {
  const entries = withPrevious(state.feed);
  return html`
    <section class="panel feed-panel" aria-labelledby="log-h">
      <h2 id="log-h">${t("timeline")}</h2>
      ${entries.length === 0 && html`<p class="empty">${t("nothing_yet")}</p>`}
      <ol id="log" class="timeline" aria-live="polite" aria-labelledby="log-h">
        ${entries.map(({ e, previous }) => html`
          <li key=${e.seq} data-seq=${e.seq} data-kind=${e.kind}
              class=${[e.by === state.role && "mine", e.to && "private"].filter(Boolean).join(" ") || null}>
            <${Entry} e=${e} previous=${previous} state=${state} /></li>`)}
      </ol>
      <${Talk} gate=${gates.message} say=${say} />
    </section>`;
}

function Talk({ gate, say }) {
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = form.elements.text.value.trim();
    if (!text || gate) return;
    say(text, form.elements.intent.value);
    form.elements.text.value = "";
  };
  return html`
    <form id="talk" class="talk" onSubmit=${submit}>
      <label for="text">${t("message")}</label>
      <textarea id="text" name="text" maxlength="2000" rows="2" disabled=${Boolean(gate)}></textarea>
      <div class="talk-row">
        <select id="intent" name="intent" aria-label=${t("intent")} disabled=${Boolean(gate)}>
          ${["", "question", "objection", "interest", "info"].map((v) => html`
            <option key=${v} value=${v}>${t(v || "no_intent")}</option>`)}
        </select>
        <${Actions} items=${[{ id: "send", label: t("send"), gate,
                                onClick: (event) => event.currentTarget.form.requestSubmit() }]} />
      </div>
    </form>`;
}
