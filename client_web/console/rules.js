// What the facilitator can do with a room, and which rooms need the facilitator
// now. Pure: a room (state.js) and the time in, answers out; no DOM, no clock of
// its own. The controls follow the referee's phase table (server/referee/table.py,
// protocol section 5) and the bot seat rule of POST /api/rooms/{room}/bots, so a
// button that cannot succeed is not offered.
import { ROLES, serverNow } from "./state.js";

export const IDLE_MS = 3 * 60 * 1000;

// Control -> enabled. +5 min needs a clock: a scenario without a deadline has none.
export function controls(room) {
  const hasClock = { waiting: room.durationMs != null, running: room.deadline != null,
                     paused: room.remainingMs != null }[room.phase] || false;
  return {
    pause: room.phase === "running",
    resume: room.phase === "paused",
    extend: hasClock,
    end: room.phase !== "ended",
  };
}

// A bot may take a seat nobody has joined, or one whose participant is gone (a
// `left` event, not back since). Replacing a person asks first: `replaces` names them.
export function botSeat(room, role) {
  if (room.phase === "ended") return { allowed: false, replaces: null };
  const seat = room.presence[role];
  if (!seat) return { allowed: true, replaces: null };
  if (seat.here) return { allowed: false, replaces: null };
  return { allowed: true, replaces: { role, name: seat.name, since: seat.since } };
}

// Why the room needs the facilitator, most urgent first: [{key, role?, since?}].
export function attention(room, now = Date.now()) {
  if (room.phase === "ended") return [];
  const reasons = [];
  for (const request of Object.values(room.pending)) reasons.push({ key: "sign_off", role: request.role });
  for (const role of ROLES) {
    const seat = room.presence[role];
    if (seat && !seat.here) reasons.push({ key: "gone", role, name: seat.name, since: seat.since });
  }
  if (room.deadlocked) reasons.push({ key: "deadlock" });
  if (room.phase === "running" && room.quietSince != null) {
    const quiet = serverNow(room, now) - room.quietSince;
    if (quiet > IDLE_MS) reasons.push({ key: "idle", minutes: Math.floor(quiet / 60000) });
  }
  return reasons;
}

const URGENCY = ["sign_off", "gone", "deadlock", "idle"];
const natural = (a, b) => (a.label || a.id).localeCompare(b.label || b.id, undefined, { numeric: true });

// Rooms that need the facilitator first (the most urgent reason first), then the
// others in their labels' order, ended rooms last.
export function byAttention(rooms, now = Date.now()) {
  const rank = (room) => {
    const reasons = attention(room, now);
    if (reasons.length) return Math.min(...reasons.map((r) => URGENCY.indexOf(r.key)));
    return room.phase === "ended" ? URGENCY.length + 1 : URGENCY.length;
  };
  return rooms.map((room) => ({ room, rank: rank(room) }))
    .sort((a, b) => a.rank - b.rank || natural(a.room, b.room))
    .map((x) => x.room);
}
