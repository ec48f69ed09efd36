// What happened while you were away, in one sentence: "2 new events: the seller
// made a concession on price, asked a question."
import { t } from "../html.js";

function phrase(state, e) {
  const role = t("role." + e.by);
  switch (e.kind) {
    case "offer": {
      const issues = state.scenario.issues.filter((i) => e.terms[i.id] !== undefined);
      return t("sum.offer", { role, class: t("class." + e.class), n: issues.length });
    }
    case "message":
      if (e.by === "facilitator") return t(e.to ? "sum.mediator" : "sum.facilitator_message");
      return t(e.intent === "question" ? "sum.question" : "sum.message", { role });
    case "announcement": return t("sum.announcement");
    case "rejected": return t("sum.rejected", { role });
    case "walked_away": return t("sum.walked_away", { role });
    case "paused": return t("sum.paused");
    case "resumed": return t("sum.resumed");
    case "extended": return t("sum.extended");
    case "deadlock": return t("sum.deadlock");
    case "joined": return t("sum.joined", { role });
    case "left": return t("sum.left", { role });
    case "approval_decided": return t("sum.sign_off");
    case "ended": return t("sum.ended");
    default: return null;
  }
}

export function summary(state, events) {
  const phrases = events.map((e) => phrase(state, e)).filter(Boolean);
  return t("meanwhile", { n: phrases.length, list: phrases.join("; ") });
}
