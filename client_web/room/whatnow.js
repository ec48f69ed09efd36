// What now? From the room's state and the connection: the one line the status
// strip shows, and for each control either null (it can succeed) or the reason it
// cannot. The same rules as the referee's phase table and checks
// (server/referee/table.py, rules.py), so a move that cannot succeed is not sent.
// Pure: no DOM, no clock of its own.
import { counterpart, timeLeft } from "./state.js";
import { offerClass, problems } from "./terms.js";

// status: {key, values} for I18N.t; gates: control -> null | {key, values}.
export function whatNow(state, link, composed, now = Date.now()) {
  const me = state.role, them = counterpart(me);
  const status = strip(state, link, me, them);
  const gates = { offer: null, concede: null, accept: null, reject: null, message: null, walk: null };
  const all = (reason) => { for (const k of Object.keys(gates)) gates[k] = gates[k] || reason; };
  if (state.phase === "ended") all({ key: "why.ended" });
  // Past the deadline the referee refuses every move, even before the expiry is recorded.
  if (state.phase === "running" && timeLeft(state, now) === 0) all({ key: "why.time_up" });
  if (state.phase === "paused") all({ key: "why.paused" });
  // Moves that depend on the latest state wait until the page is caught up;
  // a message can wait in the outbox and go when the link is back.
  if (!link.fresh) {
    for (const k of ["offer", "concede", "accept", "reject", "walk"]) gates[k] = gates[k] || { key: "why.stale" };
  }
  if (state.phase === "waiting") {
    const why = state.presence[them] ? "round.waiting" : "why.waiting";
    for (const k of ["offer", "concede", "accept", "reject", "walk"]) gates[k] = gates[k] || { key: why };
  }
  if (state.pending[me]) {
    for (const k of ["offer", "concede", "accept"]) gates[k] = gates[k] || { key: "why.sign_off" };
  }
  if (state.turn && state.turn !== me) {
    for (const k of ["offer", "concede"]) gates[k] = gates[k] || { key: "why.their_turn", values: { role: them } };
  }
  if (!state.standing[them]) {
    for (const k of ["accept", "reject"]) gates[k] = gates[k] || { key: "why.no_offer" };
  }
  if (composed) {
    const wrong = problems(state.scenario.issues, composed);
    if (wrong.length) for (const k of ["offer", "concede"]) gates[k] = gates[k] || { key: "why.fix_terms" };
    const previous = state.lastTerms[me];
    if (!gates.concede) {
      if (!previous) gates.concede = { key: "why.first_offer" };
      else {
        const klass = offerClass(state.scenario.issues, state.brief.prefers, previous, composed);
        if (klass !== "concession") gates.concede = { key: "why.not_concession." + klass };
      }
    }
  }
  return { status, gates };
}

function strip(state, link, me, them) {
  if (state.phase === "ended") return { key: "now.ended." + state.outcome, tone: "end" };
  if (!link.fresh) return { key: link.everOnline ? "now.reconnecting" : "now.connecting", tone: "warn" };
  if (state.phase === "paused") return { key: "now.paused", tone: "warn" };
  // Both in and still waiting: the room is held for the workshop's round.
  if (state.phase === "waiting") return { key: state.presence[them] ? "round.held" : "now.waiting", tone: "wait" };
  if (state.pending[me]) return { key: "now.sign_off", tone: "wait" };
  const theirs = state.standing[them];
  if (state.turn === me) {
    return { key: theirs ? "now.your_turn_answer" : "now.your_turn", tone: "go" };
  }
  if (state.turn === them) {
    return { key: theirs ? "now.their_turn_answer" : "now.their_turn", tone: "wait", values: { role: them } };
  }
  return { key: theirs ? "now.free_answer" : "now.free", tone: "go" };
}
