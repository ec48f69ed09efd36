// The connection: protocol v1 (JSON) over /ws. It says hello with the last seq
// the page holds, so a reconnect replays exactly what was missed, and sends again
// every move still waiting for its ack (same id: the server never applies it
// twice). A heartbeat (a ping after PING_MS of quiet) tells a stalled link from a quiet
// one: a socket that hears nothing for STALL_MS is given up and a new one opened,
// since a network that vanished can leave a socket "open" for minutes.
export const PING_MS = 3000;
export const STALL_MS = 6500;
export const CONNECT_MS = 10000;

export function openLink({ token, name, lang, lastSeq, onFrame, onChange }) {
  const link = { fresh: false, everOnline: false, elsewhere: false, outbox: new Map(), socket: null, heard: 0 };
  let retries = 0;
  let counter = 0;
  let closed = false;

  function changed() { onChange(link); }
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`, ["dealroom.v1.json"]);
    link.socket = socket;
    link.heard = Date.now();
    socket.onopen = () => {
      link.heard = Date.now();
      socket.send(JSON.stringify({ type: "hello", token, resume_after: lastSeq(), name, lang }));
    };
    socket.onmessage = (message) => {
      if (socket !== link.socket) return;
      link.heard = Date.now();
      retries = 0;
      const frame = JSON.parse(message.data);
      if (frame.type === "pong") elsewhere(frame.seat_connections > 1);
      if (frame.type === "welcome") {
        // Caught up once the replay is through: the pong to this ping comes after it.
        send(socket, { type: "ping", id: "caught-up" });
        for (const move of link.outbox.values()) send(socket, move);
      } else if (frame.type === "pong" && frame.id === "caught-up") {
        link.fresh = true;
        link.everOnline = true;
        changed();
      } else if (frame.type === "error" && frame.id && frame.code === "unavailable") {
        // The store is down for a moment: the same id again later (never applied twice).
        const move = link.outbox.get(frame.id);
        setTimeout(() => { if (move && link.outbox.has(move.id)) send(link.socket, move); }, 2000);
      } else if (frame.type === "ack" || (frame.type === "error" && frame.id)) {
        link.outbox.delete(frame.id);
        changed();
      }
      onFrame(frame);
    };
    socket.onclose = () => { if (socket === link.socket) lost(); };
  }
  // The same seat open in another tab or on another device (both work; the page says so).
  function elsewhere(open) {
    if (open !== link.elsewhere) { link.elsewhere = open; changed(); }
  }
  // Give the socket up (it may never fire onclose on a dead network) and try again
  // after a random share of a growing delay: when a node dies all its clients come
  // back at once, and "full jitter" spreads them out.
  function lost() {
    const socket = link.socket;
    link.socket = null;
    if (socket) { socket.onclose = null; socket.onmessage = null; try { socket.close(); } catch (_) { /* closed */ } }
    if (link.fresh || !link.everOnline) { link.fresh = false; changed(); }
    if (closed) return;
    const ceiling = Math.min(8000, 1000 * 2 ** retries++);
    setTimeout(connect, 500 + Math.random() * (ceiling - 500));
  }
  function send(socket, frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }
  // A ping only when the link has been quiet for PING_MS: a busy room needs none.
  setInterval(() => {
    const socket = link.socket;
    if (!socket) return;
    const quiet = Date.now() - link.heard;
    // Open but silent past the heartbeat, or still not open: a dead network either way.
    if (socket.readyState === WebSocket.OPEN ? quiet > STALL_MS : quiet > CONNECT_MS) lost();
    else if (socket.readyState === WebSocket.OPEN && quiet >= PING_MS) send(socket, { type: "ping" });
  }, 1000);

  // A move stays in the outbox until its ack or error; while offline it waits
  // there (the page shows how many) and goes out when the link is back.
  function move(kind, fields) {
    counter += 1;
    const frame = { type: "move", id: `${token.slice(-6)}-${Date.now().toString(36)}-${counter}`, kind, ...fields };
    link.outbox.set(frame.id, frame);
    send(link.socket, frame);
    changed();
    return frame.id;
  }
  function stop() { closed = true; const s = link.socket; link.socket = null; if (s) s.close(); }

  connect();
  return { link, move, stop };
}
