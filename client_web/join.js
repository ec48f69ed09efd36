// Minimal participant view: joins with the seat token from the URL and lists the
// room's events. Every text goes through textContent, never innerHTML.
"use strict";
(function () {
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const status = document.getElementById("status");
  const log = document.getElementById("log");
  let lastSeq = 0;

  function line(text) {
    const li = document.createElement("li");
    li.textContent = text;
    log.appendChild(li);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws`, ["dealroom.v1.json"]);
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token, resume_after: lastSeq }));
    ws.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "welcome") {
        status.textContent = `Connected as ${frame.role} in room ${frame.room}`;
        document.getElementById("title").textContent = frame.scenario.title;
        if (frame.brief) document.getElementById("brief").textContent = frame.brief.text;
      } else if (frame.type === "event") {
        lastSeq = frame.seq;
        const detail = frame.terms ? " " + JSON.stringify(frame.terms) : frame.text ? ": " + frame.text : "";
        line(`#${frame.seq} ${frame.by} ${frame.kind}${frame.class ? " (" + frame.class + ")" : ""}${detail}`);
      } else if (frame.type === "error") {
        line(`error ${frame.code}: ${frame.message}`);
      }
    };
    ws.onclose = () => {
      status.textContent = "Disconnected; reconnecting…";
      setTimeout(connect, 1000);
    };
  }
  connect();
})();
