// The facilitator HTTP API (protocol/README.md section 8), through facilitator.js:
// its sign-in (the token in this tab's sessionStorage, shared with the sheets the
// console opens) and its one fetch helper, which throws an Error carrying the
// server's message and the HTTP status. Nothing here touches the page.
const F = window.Facilitator;
const at = (id) => encodeURIComponent(id);

export const token = () => F.token();
export const remember = (value) => F.remember(value);
export const forget = () => F.forget();
export const api = (method, path, body) => F.api(method, path, body);

export const scenarios = () => api("GET", "/api/scenarios");
export const fullScenario = (id) => api("GET", `/api/scenarios/${at(id)}`);
// The newest workshops; `archived`: "include" or "only" lists archived ones too, or alone.
export function workshops(archived, limit) {
  const query = new URLSearchParams();
  if (archived) query.set("archived", archived);
  if (limit) query.set("limit", limit);
  const asked = query.toString();
  return api("GET", asked ? `/api/workshops?${asked}` : "/api/workshops");
}
export const workshop = (id) => api("GET", `/api/workshops/${at(id)}`);
export const createWorkshop = (body) => api("POST", "/api/workshops", body);
export const setCapacity = (id, capacity) => api("POST", `/api/workshops/${at(id)}/capacity`, { capacity });
export const reveal = (id, step) => api("POST", `/api/workshops/${at(id)}/reveal`, { step });
// Housekeeping: a new title; a copy with new links (201, the new workshop); archive
// (409 workshop_live while rooms have not ended) and back.
export const renameWorkshop = (id, title) => api("POST", `/api/workshops/${at(id)}/rename`, { title });
export const duplicateWorkshop = (id) => api("POST", `/api/workshops/${at(id)}/duplicate`);
export const archiveWorkshop = (id) => api("POST", `/api/workshops/${at(id)}/archive`);
export const unarchiveWorkshop = (id) => api("POST", `/api/workshops/${at(id)}/unarchive`);
// What the projector shows at the facilitator's word: one room replayed, room labels.
export const spotlight = (id, room) => api("POST", `/api/workshops/${at(id)}/spotlight`, { room });
export const stopSpotlight = (id) => api("DELETE", `/api/workshops/${at(id)}/spotlight`);
export const projectorLabels = (id, shown) => api("POST", `/api/workshops/${at(id)}/labels`, { shown });
export const cohort = (id) => api("GET", `/api/workshops/${at(id)}/cohort`);
export const replay = (room) => api("GET", `/api/rooms/${at(room)}/replay`);

// pause, resume, extend (five minutes), end: 200 {seq, state} or a refusal.
export function control(room, action) {
  return api("POST", `/api/rooms/${at(room)}/${action}`, action === "extend" ? { seconds: 300 } : undefined);
}
export const seatBot = (room, role) => api("POST", `/api/rooms/${at(room)}/bots`, { role });
export const decide = (room, request, approve, note) =>
  api("POST", `/api/rooms/${at(room)}/approvals/${request}`, note ? { approve, note } : { approve });
export const announce = (room, text) => api("POST", `/api/rooms/${at(room)}/announce`, { text });
export const mediate = (room, text, to) => api("POST", `/api/rooms/${at(room)}/message`, { text, to });

// A workshop's round and its workshop-wide actions: one request, a result per room.
export const startRound = (id) => api("POST", `/api/workshops/${at(id)}/start`);
export const workshopWide = (id, action, body) => api("POST", `/api/workshops/${at(id)}/${action}`, body);

// An export needs the Bearer header, so a plain link cannot fetch it (cohort.js
// downloads it through a Blob).
export const download = (id, format) =>
  window.Cohort.download(`/api/workshops/${at(id)}/export.${format}`, token(), `${id}.${format}`);
