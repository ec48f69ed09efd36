// The rooms the console watches: one facilitator WebSocket per room (protocol
// section 2, "Facilitator token": a hello naming the room; every event, private
// ones included, and the welcome's full scenario). Each socket resumes after the
// last seq the console holds, so a reconnect replays only what was missed. A ping
// after PING_MS of quiet tells a stalled link from a quiet one, as the room page
// does (room/link.js, which speaks for a seat and so cannot be reused here). A
// room that has ended is let go once caught up: nothing happens after `ended`.
export const PING_MS = 3000;
export const STALL_MS = 6500;
const CONNECT_MS = 10000;

// onFrame(roomId, frame); lastSeq(roomId) -> the highest seq the console holds;
// finished(roomId) -> true once the room has ended (its socket may close).
export function watcher({ token, lastSeq, finished, onFrame }) {
  const links = new Map(); // room -> {socket, heard, retries, timer, caughtUp}

  function open(room) {
    const link = links.get(room);
    if (!link) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`, ["dealroom.v1.json"]);
    Object.assign(link, { socket, heard: Date.now(), caughtUp: false });
    socket.onopen = () => {
      link.heard = Date.now();
      socket.send(JSON.stringify({ type: "hello", token: token(), room, resume_after: lastSeq(room) }));
    };
    socket.onmessage = (message) => {
      if (link.socket !== socket) return;
      link.heard = Date.now();
      link.retries = 0;
      const frame = JSON.parse(message.data);
      // Caught up once the replay is through: the pong to this ping comes after it.
      if (frame.type === "welcome") socket.send(JSON.stringify({ type: "ping", id: "caught-up" }));
      if (frame.type === "pong" && frame.id === "caught-up") link.caughtUp = true;
      onFrame(room, frame);
      if (link.caughtUp && finished(room)) close(room, true);
    };
    socket.onclose = () => { if (link.socket === socket) lost(room); };
  }

  // Give the socket up and try again after a random share of a growing delay.
  function lost(room) {
    const link = links.get(room);
    if (!link) return;
    const socket = link.socket;
    link.socket = null;
    if (socket) { socket.onclose = null; socket.onmessage = null; try { socket.close(); } catch (_) { /* closed */ } }
    const ceiling = Math.min(8000, 1000 * 2 ** link.retries++);
    link.timer = setTimeout(() => open(room), 500 + Math.random() * (ceiling - 500));
  }

  // done: the room has ended and everything is folded; keep it as "watched" so
  // it is not opened again while it stays in the workshop.
  function close(room, done) {
    const link = links.get(room);
    if (!link) return;
    clearTimeout(link.timer);
    const socket = link.socket;
    link.socket = null;
    if (socket) { socket.onclose = null; socket.onmessage = null; socket.close(); }
    if (!done) links.delete(room);
  }

  // Watch exactly these rooms.
  function watch(rooms) {
    const wanted = new Set(rooms);
    for (const room of [...links.keys()]) if (!wanted.has(room)) close(room, false);
    for (const room of wanted) {
      if (links.has(room)) continue;
      links.set(room, { socket: null, heard: 0, retries: 0, timer: null, caughtUp: false });
      open(room);
    }
  }

  setInterval(() => {
    const now = Date.now();
    for (const [room, link] of links) {
      const socket = link.socket;
      if (!socket) continue;
      const quiet = now - link.heard;
      if (socket.readyState === WebSocket.OPEN ? quiet > STALL_MS : quiet > CONNECT_MS) lost(room);
      else if (socket.readyState === WebSocket.OPEN && quiet >= PING_MS) socket.send(JSON.stringify({ type: "ping" }));
    }
  }, 1000);

  return { watch };
}
