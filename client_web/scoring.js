// A role's private score of a package: the same rule as dealroom.protocol.issue_points.
"use strict";
window.Scoring = (function () {
  function rank(issue, value) {
    return issue.kind === "options" ? issue.options.indexOf(value) : (value - issue.min) / issue.step;
  }
  function size(issue) {
    return issue.kind === "options" ? issue.options.length : (issue.max - issue.min) / issue.step + 1;
  }
  // side: {prefers, scoring} (a brief, or a role of the full scenario)
  function score(issues, side, terms) {
    let total = 0;
    for (const issue of issues) {
      const scoring = side.scoring[issue.id];
      if (!scoring) continue;
      const value = terms[issue.id];
      if (scoring.points) { total += scoring.points[String(value)] || 0; continue; }
      const span = size(issue) - 1;
      let position = span > 0 ? rank(issue, value) / span : 1;
      if (side.prefers[issue.id] === "down") position = 1 - position;
      total += scoring.weight * position;
    }
    return Math.round(total * 10) / 10;
  }
  // The issues on which terms go past a role's authority limits (side.authority:
  // issue id -> the furthest value it may sign alone); the rule of
  // dealroom.protocol.beyond_authority.
  function beyond(issues, side, terms) {
    const limits = side.authority || {};
    return issues.filter((issue) => {
      if (!(issue.id in limits) || !(issue.id in terms)) return false;
      const value = rank(issue, terms[issue.id]), edge = rank(issue, limits[issue.id]);
      return side.prefers[issue.id] === "down" ? value > edge : value < edge;
    });
  }
  return { score, beyond };
})();
