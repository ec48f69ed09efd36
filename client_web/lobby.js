// The lobby on the projector: a big QR code and the short URL with the workshop's code,
// everyone who has arrived by name (newest first, the newest lit up for a moment), and
// once the facilitator starts the round its countdown. The page's own path holds the
// projector token; its data carries arrivals' display names and nothing else about
// anyone. The countdown runs on the server's clock (the data says what time it is there).
"use strict";
(function () {
  const { t, apply } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 1500;
  const FRESH_MS = 6000;
  apply();
  const firstSeen = new Map();  // name#n -> when this page first showed it
  let round = null, skew = 0, primed = false;

  function tick() { window.Countdown.render($("round"), round, skew); }
  function names(list) {
    const now = Date.now(), seen = new Map(), items = [];
    for (const name of list) {
      const n = (seen.get(name) || 0) + 1;  // two people called Ana are two arrivals
      seen.set(name, n);
      const key = `${name}#${n}`;
      if (!firstSeen.has(key)) firstSeen.set(key, primed ? now : 0);  // not lit on opening
      const li = document.createElement("li");
      li.textContent = name;
      if (now - firstSeen.get(key) < FRESH_MS) li.className = "new";
      items.push(li);
    }
    $("names").replaceChildren(...items.reverse());  // the newest first: always on screen
    primed = true;
  }
  function show(data) {
    document.title = `dealroom · ${data.workshop.title}`;
    $("title").textContent = data.workshop.title;
    if ($("qr").getAttribute("src") !== data.qr) $("qr").src = data.qr;
    $("qr").alt = `${t("lobby.scan")}: ${data.join_url}/${data.code}`;
    $("url").textContent = data.short_url;
    $("code").textContent = data.code_shown;
    const count = data.arrivals.count;
    $("here").textContent = count ? t("lobby.here", { count }) : t("lobby.nobody");
    names(data.arrivals.names);
    skew = data.server_time - Date.now();
    round = window.Countdown.from(data);
    tick();
  }
  setInterval(tick, 250);
  window.Countdown.poll(POLL_MS, show);
})();
