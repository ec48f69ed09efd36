// Their standing offer: each issue's value, what changed since their previous
// offer as old -> new, and what the package is worth to you against your walk-away.
import { html, t } from "../html.js";
import { shown } from "./format.js";
import { counterpart } from "./state.js";
import { Actions, Worth } from "./composer.js";

export function Theirs({ state, gates, answer }) {
  const scenario = state.scenario;
  const them = counterpart(state.role);
  const standing = state.standing[them];
  const before = state.previousTheirs;
  const past = standing ? window.Scoring.beyond(scenario.issues, state.brief, standing.terms) : [];
  return html`
    <section class="panel theirs-panel" id="theirs-panel" aria-labelledby="theirs-h">
      <h2 id="theirs-h">${t("their_offer")}</h2>
      <div id="theirs">
        ${!standing ? html`<p>${t("no_offer")}</p>` : html`
          <p class="cls-line"><span class="cls">${t("class." + standing.class)}</span></p>
          <dl class="terms">
            ${scenario.issues.map((issue) => {
              const now = standing.terms[issue.id];
              const moved = before && before[issue.id] !== now;
              return html`
                <dt key=${"t" + issue.id}>${issue.label}</dt>
                <dd key=${"d" + issue.id} class=${moved ? "changed" : null}>
                  ${moved && html`<del aria-label=${t("was")}>${shown(issue, before[issue.id], scenario)}</del>${" → "}`}
                  ${moved ? html`<ins>${shown(issue, now, scenario)}</ins>` : shown(issue, now, scenario)}
                </dd>`;
            })}
          </dl>
          <${Worth} score=${window.Scoring.score(scenario.issues, state.brief, standing.terms)}
                    rv=${state.brief.reservation_value} max=${state.brief.max_score} id="their-worth" />
          ${past.length > 0 && html`<p class="beyond">
            ${t("accept_needs_sign_off", { issues: past.map((i) => i.label).join(", ") })}</p>`}`}
      </div>
      <${Actions} items=${[
        { id: "accept", label: t("accept"), gate: gates.accept, onClick: () => answer("accept") },
        { id: "reject", label: t("reject"), gate: gates.reject, onClick: () => answer("reject") },
      ]} />
    </section>`;
}
