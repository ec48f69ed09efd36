// One step of a room's replay, drawn: the event (who did what, its class, both scores
// when the data has them, the outcome) and a side's standing offer as a card (every
// issue's value, the ones changed since the step before marked). Shared by the
// console's replay (replay.js) and the projector's spotlight (spotlight.js), so the
// facilitator and the group read a negotiation the same way. Pure drawing: the caller
// holds the replay and which step shows. Every text goes through textContent.
"use strict";
window.ReplayView = (function () {
  const { t } = window.I18N;
  const number = (v, digits) => window.Cohort.number(v, digits);

  // Signed time since the room started: "+1:05", "+0.2 s", "−3.1 s" (before the start).
  function when(ms) {
    const sign = ms < 0 ? "−" : "+";
    return sign + window.Cohort.duration(Math.abs(ms));
  }
  // An issue's value as a person reads it: an option in the page's language when the
  // issue carries its translations (ScenarioText.localize), a number with its unit.
  function value(issue, v) {
    if (v == null) return "";
    if (issue.kind === "options") return (issue.shown && issue.shown[v]) || String(v);
    return `${number(v, 2)}${issue.unit ? " " + issue.unit : ""}`;
  }
  function span(text, cls) {
    const s = document.createElement("span");
    s.textContent = text;
    if (cls) s.className = cls;
    return s;
  }
  const scoresText = (scores) => t("scores", { b: number(scores.buyer), s: number(scores.seller) });

  // The step's event as a line of spans (.seq, .when, .who, .kind, .class, .scores…).
  function describe(step) {
    const parts = [span(`#${step.seq}`, "seq"), span(when(step.t), "when"),
                   span(t("role." + step.by), "who"), span(t("kind." + step.kind), "kind")];
    const cls = step.class || step.offer_class;
    if (cls) parts.push(span(`(${t("class." + cls)})`, "class"));
    if (step.scores) parts.push(span(scoresText(step.scores), "scores"));
    if (step.intent) parts.push(span(`[${t("replay.intent." + step.intent)}]`, "intent"));
    if (step.to) parts.push(span(`→ ${t("role." + step.to)}`, "to"));
    if (step.text) parts.push(span(`“${step.text}”`, "text"));
    if (step.outcome) parts.push(span(`(${t("outcome." + step.outcome)})`, "outcome"));
    const out = [];
    for (const p of parts) out.push(p, document.createTextNode(" "));
    return out;
  }
  function event(box, step) {
    box.dataset.by = step.by;  // who: a role, the facilitator or the system
    box.replaceChildren(...describe(step));
  }

  // One side's standing offer into `box`, under a `heading` (h4 unless told): every
  // issue's value (changed ones marked, as against `before`, that side's standing offer
  // a step earlier) and both scores when the replay has them.
  function card(box, role, tabled, before, issues, heading) {
    box.dataset.role = role;
    box.dataset.seq = tabled ? String(tabled.seq) : "";
    const h = document.createElement(heading || "h4");
    h.textContent = tabled ? t("replay.standing_seq", { role: t("role." + role), seq: tabled.seq })
                           : t("replay.standing", { role: t("role." + role) });
    if (!tabled) { box.replaceChildren(h, span(t("no_offer"), "none")); return; }
    const dl = document.createElement("dl");
    for (const issue of issues) {
      const dt = document.createElement("dt"); dt.textContent = issue.label;
      const dd = document.createElement("dd"); dd.textContent = value(issue, tabled.terms[issue.id]);
      dd.dataset.issue = issue.id;
      if (before && before.seq !== tabled.seq && before.terms[issue.id] !== tabled.terms[issue.id]) {
        dd.className = "changed"; dd.title = t("changed");
      }
      dl.append(dt, dd);
    }
    const parts = [h, dl];
    if (tabled.scores) parts.push(span(scoresText(tabled.scores), "scores"));
    box.replaceChildren(...parts);
  }

  return { when, value, describe, event, card };
})();
