// Your offer: one control per issue showing its range (steppers for numbers, a
// choice per option), the issue's description as help, each value checked here in
// the page's language before anything is sent, and the package's live worth to
// you against your walk-away value.
import { html, t } from "../html.js";
import { number, shown, unitOf } from "./format.js";
import { problem } from "./terms.js";

// The draft holds what the person typed (a number box may hold "" or "12a" for a
// moment); terms() reads it as a package.
export function terms(issues, draft) {
  const out = {};
  for (const issue of issues) {
    const raw = draft[issue.id];
    out[issue.id] = issue.kind === "options" ? raw : raw === "" || raw == null ? NaN : Number(raw);
  }
  return out;
}

export function draftOf(issues, package_) {
  const draft = {};
  for (const issue of issues) draft[issue.id] = issue.kind === "options" ? package_[issue.id] : String(package_[issue.id]);
  return draft;
}

function NumberControl({ issue, scenario, value, edit, why }) {
  const id = "issue-" + issue.id;
  const unit = unitOf(issue, scenario);
  const step = (direction) => {
    const current = Number(value);
    const base = Number.isFinite(current) ? current : issue.min;
    const next = Math.min(issue.max, Math.max(issue.min, base + direction * issue.step));
    edit(issue.id, String(next));
  };
  const range = t("range", { min: number(issue.min), max: number(issue.max) }) + (unit ? " " + unit : "")
    + (issue.step > 1 ? " · " + t("in_steps_of", { step: number(issue.step) }) : "");
  return html`
    <div class="issue">
      <label for=${id}>${issue.label}</label>
      ${issue.description && html`<p class="help" id=${id + "-help"}>${issue.description}</p>`}
      <div class="stepper">
        <button type="button" class="step" aria-label=${t("decrease", { issue: issue.label })}
                disabled=${Number(value) <= issue.min} onClick=${() => step(-1)}>−</button>
        <input id=${id} type="number" inputmode="numeric" min=${issue.min} max=${issue.max} step=${issue.step}
               value=${value} aria-invalid=${why ? "true" : "false"}
               aria-describedby=${[id + "-range", why && id + "-error", issue.description && id + "-help"].filter(Boolean).join(" ")}
               onInput=${(event) => edit(issue.id, event.currentTarget.value)} />
        <button type="button" class="step" aria-label=${t("increase", { issue: issue.label })}
                disabled=${Number(value) >= issue.max} onClick=${() => step(1)}>+</button>
      </div>
      <p class="range" id=${id + "-range"}>${range}</p>
      ${why && html`<p class="field-error" id=${id + "-error"}>${t(why.key, {
        min: shown(issue, issue.min, scenario), max: shown(issue, issue.max, scenario),
        step: shown(issue, issue.step, scenario) })}</p>`}
    </div>`;
}

function OptionsControl({ issue, value, edit }) {
  const id = "issue-" + issue.id;
  return html`
    <fieldset class="issue options" id=${id} aria-describedby=${issue.description ? id + "-help" : null}>
      <legend>${issue.label}</legend>
      ${issue.description && html`<p class="help" id=${id + "-help"}>${issue.description}</p>`}
      ${issue.options.map((option, i) => html`
        <label class="choice" key=${option}>
          <input type="radio" name=${id} id=${id + "-" + i} value=${option} checked=${value === option}
                 onChange=${() => edit(issue.id, option)} />
          <span>${shown(issue, option)}</span>
        </label>`)}
    </fieldset>`;
}

export function Composer({ state, draft, composed, gates, edit, send, reset }) {
  const scenario = state.scenario;
  const brief = state.brief;
  const valid = scenario.issues.every((issue) => !problem(issue, composed[issue.id]));
  const score = valid ? window.Scoring.score(scenario.issues, brief, composed) : null;
  const beyond = valid ? window.Scoring.beyond(scenario.issues, brief, composed) : [];
  const rv = brief.reservation_value;
  return html`
    <section class="panel composer" aria-labelledby="compose-h">
      <h2 id="compose-h">${t("your_offer")}</h2>
      <form id="compose" onSubmit=${(event) => event.preventDefault()}>
        ${scenario.issues.map((issue) => issue.kind === "options"
          ? html`<${OptionsControl} key=${issue.id} issue=${issue} value=${draft[issue.id]} edit=${edit} />`
          : html`<${NumberControl} key=${issue.id} issue=${issue} scenario=${scenario} value=${draft[issue.id]}
                                  edit=${edit} why=${problem(issue, composed[issue.id])} />`)}
      </form>
      <${Worth} score=${score} rv=${rv} max=${brief.max_score} id="my-score" />
      ${beyond.length > 0 && html`<p class="beyond" id="beyond" role="status">
        ${t("beyond_authority", { issues: beyond.map((i) => i.label).join(", ") })}</p>`}
      <${Actions} items=${[
        { id: "offer", label: t("send_offer"), gate: gates.offer, onClick: () => send("offer") },
        { id: "concede", label: t("send_concession"), gate: gates.concede, onClick: () => send("concede") },
        { id: "start-again", label: t(state.lastTerms[state.role] ? "start_again" : "start_best"),
          className: "quiet", onClick: reset },
      ]} />
    </section>`;
}

// A package's worth to you, next to your walk-away value: the number that decides
// whether a deal beats no deal.
export function Worth({ score, rv, max, id }) {
  if (score === null) return html`<p class="worth" id=${id}>${t("worth_unknown")}</p>`;
  const above = score >= rv;
  return html`
    <p class="worth ${above ? "above" : "below"}" id=${id}>
      <strong>${t("worth_short", { score })}</strong>
      <span>${t(above ? "above_walk_away" : "below_walk_away", { rv, diff: Math.abs(Math.round((score - rv) * 10) / 10) })}</span>
      <meter min="0" max=${max} low=${rv} optimum=${max} value=${score} aria-hidden="true"></meter>
    </p>`;
}

// Buttons that say why they cannot be pressed, beside them (not only in a tooltip:
// phones have no hover); a reason two buttons share is said once.
export function Actions({ items }) {
  const reasons = [];
  for (const item of items) {
    const reason = item.gate && t(item.gate.key, translateValues(item.gate.values));
    item.reason = reason;
    if (reason && !reasons.includes(reason)) reasons.push(reason);
  }
  const whyId = (item) => item.reason && items[0].id + "-why-" + reasons.indexOf(item.reason);
  return html`
    <div class="actions">
      <div class="buttons">
        ${items.map((item) => html`
          <button type="button" key=${item.id} id=${item.id} class=${item.className || null}
                  disabled=${Boolean(item.gate)} aria-describedby=${whyId(item) || null}
                  onClick=${item.onClick}>${item.label}</button>`)}
      </div>
      ${reasons.map((reason, i) => html`<p class="why" key=${i} id=${items[0].id + "-why-" + i}>${reason}</p>`)}
    </div>`;
}

export function translateValues(values) {
  if (!values) return values;
  const out = { ...values };
  if (out.role) out.role = t("role." + out.role);
  return out;
}
