// The room as this seat knows it: a fold over the events it receives, like the
// server's referee fold (server/referee/fold.py), and nothing else. No DOM here:
// views read this state; the connection feeds it.
const ROLES = ["buyer", "seller"];
export const counterpart = (role) => (role === "buyer" ? "seller" : "buyer");

export function initial() {
  return {
    role: null, scenario: null, brief: null,
    phase: "waiting", turn: null, deadline: null, remainingMs: null, durationMs: null, clockSkew: 0,
    lastSeq: 0, seen: new Set(),
    standing: {},          // role -> {seq, terms, class}
    lastTerms: {},         // role -> the terms of its last offer (what a concession is judged on)
    previousTheirs: null,  // the counterpart's offer before its standing one
    pending: {},           // role -> {seq, action, terms, issues} waiting for sign-off
    presence: {},          // role -> {here, since, name}
    deadlocks: 0, deadlock: null, outcome: null, agreement: null,
    feed: [],              // what the timeline shows, one entry per event worth reading
  };
}

// The welcome's view of the room: the replay that follows folds the same events
// again, which leaves these fields as they are (each is the last event's word).
export function welcome(state, frame, localized) {
  const view = frame.state;
  Object.assign(state, {
    role: frame.role, scenario: localized.scenario, brief: localized.brief,
    phase: view.phase, turn: view.turn, deadline: view.deadline, remainingMs: view.remaining_ms,
    durationMs: view.duration_ms,
    clockSkew: frame.server_time - Date.now(), outcome: view.outcome, agreement: view.agreement,
  });
  for (const role of view.joined) {
    if (!state.presence[role]) state.presence[role] = { here: true, since: null, name: "" };
  }
  return state;
}

// True when the event is new to this page (a resume may replay what it holds).
export function fresh(state, event) {
  if (event.seq <= state.lastSeq || state.seen.has(event.seq)) return false;
  state.seen.add(event.seq);
  state.lastSeq = event.seq;
  return true;
}

export function fold(state, e) {
  const rules = state.scenario.rules;
  switch (e.kind) {
    case "joined":
      if (ROLES.includes(e.by)) state.presence[e.by] = { here: true, since: e.at, name: e.name || "" };
      break;
    case "left":
      if (ROLES.includes(e.by)) state.presence[e.by] = { ...state.presence[e.by], here: false, since: e.at };
      break;
    case "started":
      state.phase = "running";
      state.deadline = e.deadline;
      state.turn = rules.turns === "free" || rules.first_mover === "either" ? null : rules.first_mover;
      break;
    case "offer": {
      if (e.by !== state.role) state.previousTheirs = state.standing[e.by] ? state.standing[e.by].terms : null;
      state.standing[e.by] = { seq: e.seq, terms: e.terms, class: e.class };
      state.lastTerms[e.by] = e.terms;
      delete state.pending[e.by];
      if (e.class === "concession") state.deadlock = null;  // a concession breaks it
      if (rules.turns === "alternating") state.turn = counterpart(e.by);
      break;
    }
    case "rejected": delete state.standing[counterpart(e.by)]; break;
    case "approval_requested":
      state.pending[e.by] = { seq: e.seq, action: e.action, terms: e.terms, issues: e.issues };
      break;
    case "approval_decided": delete state.pending[e.role]; break;
    case "deadlock": state.deadlocks += 1; state.deadlock = e.offers; break;
    case "paused": state.phase = "paused"; state.deadline = null; state.remainingMs = e.remaining_ms; break;
    case "resumed": state.phase = "running"; state.deadline = e.deadline; state.remainingMs = null; break;
    case "extended":
      if (state.phase === "waiting") state.durationMs = e.remaining_ms;
      else { state.deadline = e.deadline; state.remainingMs = e.remaining_ms; }
      break;
    case "agreement": state.agreement = e.terms; break;
    case "ended": state.phase = "ended"; state.outcome = e.outcome; state.deadline = null; break;
    default: break;
  }
  if (SHOWN.has(e.kind)) state.feed.push(e);
  return state;
}
const SHOWN = new Set(["offer", "rejected", "message", "deadlock", "announcement", "walked_away",
                       "approval_requested", "approval_decided", "paused", "resumed", "extended"]);

// Milliseconds left on the room's clock (null: no clock running or paused).
export function timeLeft(state, now = Date.now()) {
  if (state.phase === "paused") return state.remainingMs;
  if (state.phase === "waiting") return state.durationMs;
  if (state.deadline == null || state.phase === "ended") return null;
  return Math.max(0, state.deadline - (now + state.clockSkew));
}
