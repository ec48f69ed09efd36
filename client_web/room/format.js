// How values read: money and units in the page's language, options by their label
// in that language (issue.shown, see scenario_text.js).
const lang = () => window.I18N.lang;

export function number(value) {
  return Number(value).toLocaleString(lang(), { maximumFractionDigits: 1 });
}

export function unitOf(issue, scenario) {
  return issue.kind === "money" ? issue.unit || scenario.currency : issue.unit || "";
}

export function shown(issue, value, scenario) {
  if (value === undefined || value === null) return "–";
  if (issue.kind === "options") return (issue.shown && issue.shown[value]) || String(value);
  const unit = unitOf(issue, scenario);
  return unit ? `${number(value)} ${unit}` : number(value);
}

export function time(at) {
  return new Date(at).toLocaleTimeString(lang(), { hour: "2-digit", minute: "2-digit" });
}

export function clock(ms) {
  const m = Math.floor(ms / 60000), s = Math.floor((ms % 60000) / 1000);
  return `${m}:${String(s).padStart(2, "0")}`;
}
