// The projector view of a workshop: live counts and, once the facilitator reveals the
// debrief, the cohort scatter, big enough to read from the back of the room. The page's
// own path holds the projector token, and its data carries no brief, message or name
// (terms only of a room the facilitator puts in the spotlight), so it may go on a
// shared screen. Before the reveal the data holds counts only
// (no score, frontier or walk-away line: those would tell each side the other's limit),
// and the page says the debrief will appear; the next poll after the reveal draws it.
// While a workshop's round runs, its countdown sits in the header (countdown.js).
// At the facilitator's word it labels each deal with its room, and it puts one room's
// negotiation in the spotlight, replayed, in place of the rest (spotlight.js) until
// the facilitator takes it off; both come with the data, so a reload shows the same.
"use strict";
(function () {
  const { t, apply } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 2000;
  apply();
  window.Cohort.configure(24);
  let round = null, skew = 0, spotlight = null, spotted = "";
  const tick = () => { window.Countdown.render($("round"), round, skew); spot(); };

  // The room in the spotlight at the step the server's clock says, drawn again only
  // when that step (or the room's replay) changes.
  function spot() {
    const on = Boolean(spotlight);
    document.body.dataset.spotlight = String(on);
    $("spotlight").hidden = !on;
    document.querySelector("main").hidden = on;
    if (!on) { spotted = ""; return; }
    const index = window.Spotlight.position(spotlight, Date.now() + skew);
    const drawn = [spotlight.room, spotlight.since, spotlight.steps.length, index, Boolean(spotlight.max_score),
                   Boolean(spotlight.reservation)].join("|");
    if (drawn === spotted) return;
    spotted = drawn;
    window.Spotlight.render(spotlight, index);
  }

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
    spotlight = data.spotlight || null;
    tick();
    document.body.dataset.revealed = String(data.revealed);
    document.body.dataset.labels = String(Boolean(data.labels_shown));
    $("scatter").hidden = !data.revealed;
    $("not-revealed").hidden = data.revealed;
    // Drawn while it shows: a chart drawn hidden has no size (the spotlight hides it).
    if (data.revealed && !spotlight) {
      window.Cohort.draw($("scatter"), big(window.Cohort.scatterConfig(data, { labels: data.labels_shown })));
    }
  }
  setInterval(tick, 250);
  window.Countdown.poll(POLL_MS, show);
})();
