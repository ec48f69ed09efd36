// When the room ends, this comes first: the outcome, the agreed terms and their
// worth to you, your debrief, and what to do next.
import { html, t } from "../html.js";
import { shown } from "./format.js";
import { Worth } from "./composer.js";

export function Outcome({ state, debrief }) {
  const scenario = state.scenario;
  return html`
    <section id="final" class="panel final" aria-labelledby="final-h">
      <h2 id="final-h">${t(state.outcome || "closed")}</h2>
      ${state.outcome === "agreed" && state.agreement && html`
        <dl class="terms">${scenario.issues.map((issue) => html`
          <dt key=${"t" + issue.id}>${issue.label}</dt>
          <dd key=${"d" + issue.id}>${shown(issue, state.agreement[issue.id], scenario)}</dd>`)}</dl>
        <${Worth} score=${window.Scoring.score(scenario.issues, state.brief, state.agreement)}
                  rv=${state.brief.reservation_value} max=${state.brief.max_score} id="final-worth" />`}
      ${debrief && html`<${Debrief} answer=${debrief} />`}
      <h3>${t("what_next")}</h3>
      <ul class="next">
        <li>${t("next.stay")}</li>
        <li>${t("next.reflect")}</li>
      </ul>
    </section>`;
}

function Debrief({ answer }) {
  const lines = [];
  // The result line, unless the first coaching sentence already says it.
  const batna = answer.coaching.some((s) => s.key === "coach_beat_batna" || s.key === "coach_below_batna");
  if (answer.score !== null && !batna) lines.push(t("your_result", { score: answer.score, rv: answer.reservation_value }));
  if (answer.score !== null && answer.cohort.length > 1) {
    const rank = answer.cohort.filter((s) => s > answer.score).length + 1;
    lines.push(t("cohort", { n: answer.cohort.length, rank }));
  }
  for (const signal of answer.coaching) lines.push(t(signal.key, signal.values));
  return html`
    <section id="debrief">
      <h3>${t("your_debrief")}</h3>
      <ul>${lines.map((line, i) => html`<li key=${i}>${line}</li>`)}</ul>
    </section>`;
}

// The debrief is built from the log once the room has ended; right after the end
// it may take a moment to be there.
export async function fetchDebrief(token) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const response = await fetch(`/debrief/${encodeURIComponent(token)}`);
    if (response.ok) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

export function Brief({ state, open }) {
  const brief = state.brief;
  const limits = brief.authority || {};
  const items = state.scenario.issues.filter((i) => i.id in limits).map((i) =>
    t(brief.prefers[i.id] === "down" ? "limit_at_most" : "limit_at_least",
      { issue: i.label, value: shown(i, limits[i.id], state.scenario) }));
  return html`
    <details class="panel brief-panel" open=${open}>
      <summary><h2 id="brief-h">${t("brief")}</h2></summary>
      <div id="brief" class="brief">${brief.text}</div>
      <p class="walkaway">${t("your_walk_away", { rv: brief.reservation_value, max: brief.max_score })}</p>
      ${items.length > 0 && html`<p id="authority" class="authority">${t("your_authority", { limits: items.join("; ") })}</p>`}
    </details>`;
}
