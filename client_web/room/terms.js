// Packages of terms: their domain checks and the referee's offer classes, as the
// server has them (dealroom.protocol Issue.check, server/referee/classify.py), so
// the page can tell before sending what the referee would refuse.

export function rank(issue, value) {
  return issue.kind === "options" ? issue.options.indexOf(value) : (value - issue.min) / issue.step;
}

// What is wrong with one value of an issue: null, or {key, values} for I18N.t.
export function problem(issue, value) {
  if (issue.kind === "options") return issue.options.includes(value) ? null : { key: "bad.option" };
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return { key: "bad.number", values: { min: issue.min, max: issue.max } };
  }
  if (value < issue.min || value > issue.max) {
    return { key: "bad.range", values: { min: issue.min, max: issue.max } };
  }
  if (!Number.isInteger(value) || (value - issue.min) % issue.step !== 0) {
    return { key: "bad.step", values: { step: issue.step, min: issue.min } };
  }
  return null;
}

export function problems(issues, terms) {
  return issues.map((issue) => ({ issue, why: problem(issue, terms[issue.id]) })).filter((p) => p.why);
}

// The referee's class of `terms` after `previous`, judged with the sender's
// preferred direction per issue: opening, concession, trade, hardening, repeat.
export function offerClass(issues, prefers, previous, terms) {
  if (!previous) return "opening";
  let gave = false, took = false;
  for (const move of Object.values(issueMoves(issues, prefers, previous, terms))) {
    if (move < 0) gave = true;
    if (move > 0) took = true;
  }
  return gave && took ? "trade" : gave ? "concession" : took ? "hardening" : "repeat";
}

// Per issue: +1 moved the sender's own way, -1 gave ground, 0 unchanged.
export function issueMoves(issues, prefers, previous, terms) {
  const moves = {};
  for (const issue of issues) {
    const delta = rank(issue, terms[issue.id]) - rank(issue, previous[issue.id]);
    moves[issue.id] = delta === 0 ? 0 : (delta > 0) === (prefers[issue.id] === "up") ? 1 : -1;
  }
  return moves;
}

// The package a role would most like: each issue at its best end for that role
// (by its points for options, by its preferred direction for numbers).
export function bestPackage(issues, brief) {
  const terms = {};
  for (const issue of issues) {
    const scoring = brief.scoring[issue.id] || {};
    if (issue.kind === "options") {
      const points = scoring.points;
      terms[issue.id] = points
        ? issue.options.reduce((best, o) => ((points[o] || 0) > (points[best] || 0) ? o : best), issue.options[0])
        : brief.prefers[issue.id] === "down" ? issue.options[0] : issue.options[issue.options.length - 1];
    } else {
      terms[issue.id] = brief.prefers[issue.id] === "down" ? issue.min : issue.max;
    }
  }
  return terms;
}

// The issues whose value differs between two packages.
export function changed(issues, before, after) {
  return before ? issues.filter((issue) => before[issue.id] !== after[issue.id]) : [];
}
