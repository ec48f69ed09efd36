// A scenario's words in the page's language: the welcome's scenario and brief carry
// the language the hello asked for under `translations` (when the scenario has it),
// and whatever a translation leaves out stays as the scenario has it. Only what a
// person reads changes: offers keep the issue's own option values, and an option's
// label is looked up by its value (issue.shown).
"use strict";
window.ScenarioText = (function () {
  function localize(scenario, brief, lang) {
    const text = (scenario.translations || {})[lang] || {};
    const issueTexts = text.issues || {};
    const issues = scenario.issues.map((issue) => {
      const own = issueTexts[issue.id] || {};
      const shown = {};
      issue.options.forEach((option, i) => { shown[option] = (own.options || [])[i] || option; });
      return Object.assign({}, issue, {
        label: own.label || issue.label,
        description: own.description || issue.description,
        unit: own.unit || issue.unit,
        shown,
      });
    });
    const roles = {};
    for (const [role, side] of Object.entries(scenario.roles)) {
      const own = (text.roles || {})[role] || {};
      roles[role] = { title: own.title || side.title, public: own.public || side.public };
    }
    const shownScenario = Object.assign({}, scenario, {
      title: text.title || scenario.title, summary: text.summary || scenario.summary, issues, roles,
    });
    let shownBrief = brief;
    if (brief) {
      const own = (brief.translations || {})[lang] || {};
      shownBrief = Object.assign({}, brief, { title: own.title || brief.title, text: own.brief || brief.text });
    }
    return { scenario: shownScenario, brief: shownBrief };
  }
  return { localize };
})();
