// What the console knows: the workshops as fetched, and each room of the chosen
// workshop as folded from the events its facilitator socket receives (watch.js),
// the way the server's referee folds its log (server/referee/fold.py). Until a
// room's socket has said welcome, the room is what its fetched summary says.
// No DOM here: the views read this state; the API and the sockets feed it.
export const ROLES = ["buyer", "seller"];
export const counterpart = (role) => (role === "buyer" ? "seller" : "buyer");

// Kinds a participant causes: what "last move" and "idle" are about. A
// facilitator's announcement or a clock tick is not a move of the room's people.
const MOVES = new Set(["offer", "accepted", "rejected", "message", "walked_away", "approval_requested"]);

export function initial() {
  return {
    scenarios: [],      // GET /api/scenarios (public): the create form and the workshop titles
    workshops: null,    // GET /api/workshops; null until fetched
    workshop: null,     // GET /api/workshops/{id}: the chosen one, with its rooms' summaries and seats
    rooms: new Map(),   // room id -> room (below), for the chosen workshop
    fullScenario: null, // GET /api/scenarios/{id} of the chosen workshop: briefs, scoring, limits
  };
}

function newRoom(id) {
  return {
    id, label: "", seats: null, scenarioId: null, scenario: null, watched: false,
    phase: "waiting", deadline: null, remainingMs: null, durationMs: null, clockSkew: 0,
    offers: 0, deadlocks: 0, deadlocked: false, outcome: null, agreement: null,
    lastSeq: 0,
    standing: {},       // role -> {seq, terms, class, at}: its offer on the table
    pending: {},        // role -> {seq, role, action, terms, issues, offer, at}: waiting for sign-off
    presence: {},       // role -> {here, since, name}
    lastMove: null,     // the newest participant move: {seq, kind, by, at, class}
    quietSince: null,   // server time of the last move, start or resume: what "idle" counts from
    log: [],            // every event after `created`, in order: the transcript
  };
}

// The chosen workshop as fetched: rooms that left it are dropped, new ones added,
// and a room not yet watched takes its summary's view (the API's room summary).
export function workshopFetched(state, workshop) {
  state.workshop = workshop;
  const ids = new Set(workshop.rooms.map((r) => r.id));
  for (const id of [...state.rooms.keys()]) if (!ids.has(id)) state.rooms.delete(id);
  for (const summary of workshop.rooms) {
    const room = state.rooms.get(summary.id) || newRoom(summary.id);
    state.rooms.set(summary.id, room);
    summarized(room, summary);
  }
  return state;
}

function summarized(room, summary) {
  Object.assign(room, { label: summary.label, seats: summary.seats, scenarioId: summary.scenario });
  if (room.watched) return;
  const view = summary.state;
  Object.assign(room, {
    phase: view.phase, deadline: view.deadline, remainingMs: view.remaining_ms, durationMs: view.duration_ms,
    offers: view.offers, deadlocks: view.deadlocks, outcome: view.outcome, agreement: view.agreement,
  });
  room.pending = {};
  for (const p of summary.pending_approvals || []) room.pending[p.role] = { ...p, at: null };
  for (const role of view.joined) {
    if (!room.presence[role]) room.presence[role] = { here: summary.present.includes(role), since: null, name: "" };
  }
  const last = summary.last_event;
  if (last && MOVES.has(last.kind) && ROLES.includes(last.by)) room.lastMove = { ...last, class: null };
}

// The welcome's view of the room: the replay that follows folds the same events
// again, which leaves these fields as they are (each is the last event's word).
export function welcome(room, frame) {
  const view = frame.state;
  Object.assign(room, {
    watched: true, scenario: frame.full_scenario, clockSkew: frame.server_time - Date.now(),
    phase: view.phase, deadline: view.deadline, remainingMs: view.remaining_ms, durationMs: view.duration_ms,
    outcome: view.outcome, agreement: view.agreement,
  });
  if (room.lastSeq === 0) {  // a first welcome: the replay brings everything, from the start
    Object.assign(room, { offers: 0, deadlocks: 0, deadlocked: false, standing: {}, pending: {},
                          presence: {}, lastMove: null, quietSince: null, log: [] });
  }
  return room;
}

export function fold(room, e) {
  if (e.seq <= room.lastSeq) return room;  // a resume may replay what the console holds
  room.lastSeq = e.seq;
  if (e.kind === "created") return room;
  room.log.push(e);
  if (MOVES.has(e.kind) && ROLES.includes(e.by)) {
    room.lastMove = { seq: e.seq, kind: e.kind, by: e.by, at: e.at, class: e.class || null };
    room.quietSince = e.at;
  }
  switch (e.kind) {
    case "joined": room.presence[e.by] = { here: true, since: e.at, name: e.name || "" }; break;
    case "left": room.presence[e.by] = { ...room.presence[e.by], here: false, since: e.at }; break;
    case "started": room.phase = "running"; room.deadline = e.deadline; room.quietSince = e.at; break;
    case "offer":
      room.offers += 1;
      room.standing[e.by] = { seq: e.seq, terms: e.terms, class: e.class, at: e.at };
      delete room.pending[e.by];  // a newer offer replaces a request waiting for sign-off
      if (e.class === "concession") room.deadlocked = false;
      break;
    case "rejected": delete room.standing[counterpart(e.by)]; break;
    case "approval_requested":
      room.pending[e.by] = { seq: e.seq, role: e.by, action: e.action, terms: e.terms, issues: e.issues,
                             offer: e.offer, at: e.at };
      break;
    case "approval_decided": delete room.pending[e.role]; break;
    case "deadlock": room.deadlocks += 1; room.deadlocked = true; break;
    case "paused": room.phase = "paused"; room.deadline = null; room.remainingMs = e.remaining_ms; break;
    case "resumed":
      room.phase = "running"; room.deadline = e.deadline; room.remainingMs = null; room.quietSince = e.at;
      break;
    case "extended":
      if (room.phase === "waiting") room.durationMs = e.remaining_ms;
      else { room.deadline = e.deadline; room.remainingMs = e.remaining_ms; }
      break;
    case "agreement": room.agreement = e.terms; break;
    case "ended":
      Object.assign(room, { phase: "ended", outcome: e.outcome, deadline: null, remainingMs: null, pending: {} });
      break;
    default: break;
  }
  return room;
}

// The server's clock as this page reckons it.
export const serverNow = (room, now = Date.now()) => now + room.clockSkew;

// Milliseconds left on the room's clock; null when it has none.
export function timeLeft(room, now = Date.now()) {
  if (room.phase === "paused") return room.remainingMs;
  if (room.phase === "waiting") return room.durationMs;
  if (room.deadline == null || room.phase === "ended") return null;
  return Math.max(0, room.deadline - serverNow(room, now));
}

// Every room's requests waiting for sign-off, oldest first: [{room, request}].
export function signOffs(state) {
  const all = [];
  for (const room of state.rooms.values()) {
    for (const request of Object.values(room.pending)) all.push({ room, request });
  }
  return all.sort((a, b) => a.request.seq - b.request.seq);
}

// The scenario a room runs, whole: from its socket's welcome, else the one
// fetched for the workshop.
export const scenarioOf = (state, room) => room.scenario || state.fullScenario || null;
