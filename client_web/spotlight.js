// The projector's spotlight: one room's negotiation replayed, move by move, in type read
// from the back of the room. The facilitator puts the room up from the console; the
// projector's data (`spotlight`) carries its replay as the group may see it: offers
// with their terms, who made them and their class, and the outcome; no message and no
// name, scores and walk-away values only as far as the debrief's reveal goes.
//
// Which step shows is a function of the server's clock (position): one step every
// STEP_MS from the moment the room went up, then the last one held, so a projector that
// reloads shows the same step as before. A room still negotiating adds its new moves
// at the end. The step itself is drawn by replay_view.js, as in the console's replay.
"use strict";
window.Spotlight = (function () {
  const { t, lang } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const STEP_MS = 3000;
  const MOVES_SHOWN = 12; // the strip of moves so far keeps the latest that fit

  // The index of the step showing at `now` (server time, ms); -1 before the first step.
  function position(spotlight, now) {
    const last = spotlight.steps.length - 1;
    return last < 0 ? -1 : Math.max(0, Math.min(last, Math.floor((now - spotlight.since) / STEP_MS)));
  }

  // The issues in the page's language (labels, units, the options' words).
  function issuesOf(spotlight) {
    const scenario = { ...spotlight.scenario, roles: {} };
    return window.ScenarioText.localize(scenario, null, lang).scenario.issues;
  }

  // A move of the strip: who and its class for an offer, who and what for the rest.
  function chip(step, current) {
    const li = document.createElement("li");
    const cls = step.class;
    const what = cls ? t("class." + cls) : t("kind." + step.kind);
    const who = step.by === "buyer" || step.by === "seller" ? t("role_head." + step.by) : "";
    li.textContent = who ? `${who} · ${what}` : what;
    li.className = `move kind-${step.kind} by-${step.by}` + (cls ? ` class-${cls}` : "");
    li.dataset.seq = String(step.seq);
    if (current) li.setAttribute("aria-current", "step");
    return li;
  }
  function strip(steps, index) {
    const shown = steps.slice(0, index + 1);
    const items = shown.slice(-MOVES_SHOWN).map((step, i, list) => chip(step, i === list.length - 1));
    if (shown.length > MOVES_SHOWN) {
      const more = document.createElement("li");
      more.className = "move earlier";
      more.textContent = t("spotlight.earlier", { n: shown.length - MOVES_SHOWN });
      items.unshift(more);
    }
    $("spotlight-moves").replaceChildren(...items);
  }

  // How the room ended, once the replay reaches its end; a deal names the offer it
  // took, whose card says so (its terms are on it).
  function outcome(steps, index) {
    const box = $("spotlight-outcome");
    const ended = steps.slice(0, index + 1).find((s) => s.kind === "ended");
    box.hidden = !ended;
    const step = steps[index];
    const deal = ended && steps.find((s) => s.kind === "agreement");
    const taken = deal && ["buyer", "seller"].map((role) => step.standing[role])
      .find((tabled) => tabled && sameTerms(tabled.terms, deal.terms));
    for (const role of ["buyer", "seller"]) {
      const card = $(`spotlight-${role}`);
      card.classList.toggle("agreed", Boolean(taken && card.dataset.seq === String(taken.seq)));
    }
    if (!ended) return;
    box.dataset.outcome = ended.outcome;
    const by = taken && ["buyer", "seller"].find((role) => step.standing[role] === taken);
    box.textContent = taken ? t("spotlight.agreed_on", { role: t("role." + by), seq: taken.seq })
      : t("spotlight.ended", { outcome: t("outcome." + ended.outcome) });
  }
  const sameTerms = (a, b) => Object.keys(b).every((key) => a[key] === b[key]);

  // Draw step `index` of `spotlight` into the page's #spotlight section.
  function render(spotlight, index) {
    const root = $("spotlight");
    const steps = spotlight.steps;
    root.dataset.room = spotlight.room;
    root.dataset.step = String(index);
    $("spotlight-room").textContent = spotlight.label || spotlight.room;
    $("spotlight-pos").textContent = index < 0 ? t("spotlight.no_moves")
      : t("spotlight.position", { n: index + 1, of: steps.length });
    const issues = issuesOf(spotlight);
    const step = steps[index];
    const event = $("spotlight-event");
    if (step) window.ReplayView.event(event, step);
    else event.replaceChildren();
    const before = index > 0 ? steps[index - 1].standing : {};
    for (const role of ["buyer", "seller"]) {
      window.ReplayView.card($(`spotlight-${role}`), role, step ? step.standing[role] : null, before[role], issues, "h3");
    }
    outcome(steps, index);
    strip(steps, index);
    const rv = spotlight.reservation;
    $("spotlight-walk-away").hidden = !rv;
    $("spotlight-walk-away").textContent = rv
      ? t("spotlight.walk_away", { b: window.Cohort.number(rv.buyer), s: window.Cohort.number(rv.seller) }) : "";
  }

  return { STEP_MS, position, render };
})();
