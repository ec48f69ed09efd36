// The projector view of a workshop: live counts and, once the facilitator reveals the
// debrief, the cohort scatter, big enough to read from the back of the room. The page's
// own path holds the projector token, and its data carries no brief, message, name or
// terms, so it may go on a shared screen. Before the reveal the data holds counts only
// (no score, frontier or walk-away line: those would tell each side the other's limit),
// and the page says the debrief will appear; the next poll after the reveal draws it.
// While a workshop's round runs, its countdown sits in the header (countdown.js).
"use strict";
(function () {
  const { t, apply } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 2000;
  apply();
  window.Cohort.configure(24);
  let round = null, skew = 0;
  const tick = () => window.Countdown.render($("round"), round, skew);

  // Bigger marks than on a laptop screen: the scatter fills a wall.
  function big(config) {
    const [deals, frontier, nash, buyerRv, sellerRv] = config.data.datasets;
    Object.assign(deals, { pointRadius: 15, pointHoverRadius: 17, borderWidth: 3 });
    Object.assign(nash, { pointRadius: 24, borderWidth: 5 });
    for (const line of [frontier, buyerRv, sellerRv]) line.borderWidth = 5;
    return config;
  }
  function show(data) {
    const c = data.counts;
    document.title = `dealroom · ${data.workshop.title}`;
    $("title").textContent = data.workshop.title;
    $("scenario").textContent = data.scenario.title;
    $("n-agreed").textContent = String(c.agreed);
    $("n-deadlocked").textContent = String(c.deadlocked);
    $("n-walked").textContent = String(c.walked_away);
    $("n-running").textContent = String(c.running + c.paused);
    $("total").textContent = t("projector.total", { rooms: c.rooms, waiting: c.waiting, ended: c.expired + c.closed });
    skew = data.server_time - Date.now();
    round = window.Countdown.from(data);
    tick();
    document.body.dataset.revealed = String(data.revealed);
    $("scatter").hidden = !data.revealed;
    $("not-revealed").hidden = data.revealed;
    if (data.revealed) window.Cohort.draw($("scatter"), big(window.Cohort.scatterConfig(data)));
  }
  setInterval(tick, 250);
  window.Countdown.poll(POLL_MS, show);
})();
