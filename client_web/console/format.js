// How the console writes values and times: the room page's formats
// (room/format.js: money and units in the page's language, options by their
// label), plus the clock times a transcript needs to the second.
import { clock, number, shown } from "../room/format.js";

export { clock, number, shown };

// 10:42 and 10:42:13 on a 24-hour clock, whatever the language: a facilitator
// compares times across rooms and with the room's own clock.
export const time = (at) =>
  new Date(at).toLocaleTimeString(window.I18N.lang, { hour: "2-digit", minute: "2-digit", hour12: false });
export const stamp = (at) =>
  new Date(at).toLocaleTimeString(window.I18N.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

// 12 Nov, 14:05: when a workshop was created.
export const day = (at) =>
  new Date(at).toLocaleString(window.I18N.lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

// The scenario in the page's language (scenario_text.js): issue labels and option
// labels as the participants read them; the values stay the scenario's own.
const localized = new WeakMap();
export function scenarioText(scenario) {
  if (!scenario) return null;
  if (!localized.has(scenario)) {
    const { scenario: text } = window.ScenarioText.localize(scenario, null, window.I18N.wanted);
    localized.set(scenario, { ...text, roles: scenario.roles, issues: text.issues });
  }
  return localized.get(scenario);
}

// A role's private score of a package (scoring.js), with its walk-away value.
export function worth(scenario, role, terms) {
  const side = scenario.roles[role];
  return { score: window.Scoring.score(scenario.issues, side, terms), rv: side.reservation_value };
}
