// A room's replay in the facilitator console: step through its log one event at a time
// (buttons, ←/→, Home/End, a slider, or Play at two steps a second) and see, at each
// step, the event, both standing offers with both private scores, and both sides'
// offers over time with the current step marked. Data: GET /api/rooms/{room}/replay.
// The event and the offers are drawn by replay_view.js, as on the projector's spotlight;
// this module holds which step shows, its controls and the chart.
"use strict";
window.Replay = (function () {
  const { t } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const STEP_MS = 500; // Play: two steps a second
  const other = (role) => (role === "buyer" ? "seller" : "buyer");

  let data = null;
  let index = 0;
  let timer = null;

  // One side's standing offer, drawn as the projector's spotlight draws it too.
  function card(role, tabled, before) {
    window.ReplayView.card($(`replay-standing-${role}`), role, tabled, before, data.scenario.issues);
  }

  // Both sides' offers, each in its own and the counterpart's score (as the cohort's
  // concession curves), and a vertical line at the current step.
  function curves() {
    const out = { buyer: [], seller: [] };
    for (const step of data.steps) {
      if (step.kind !== "offer" || !step.scores || !out[step.by]) continue;
      out[step.by].push({ seq: step.seq, t: Math.max(0, step.t), own: step.scores[step.by],
                          other: step.scores[other(step.by)] });
    }
    return out;
  }
  function marker() {
    const step = data.steps[index];
    const x = Math.max(0, step.t) / 1000; // before the start: at the start
    const top = Math.max(data.max_score.buyer, data.max_score.seller);
    return [{ x, y: 0 }, { x, y: top }];
  }
  function chart() {
    const nowLine = {
      key: "now", label: t("replay.now"), data: marker(), showLine: true, pointRadius: 0,
      pointHitRadius: 0, pointStyle: "line", borderColor: "#000", backgroundColor: "#000",
      borderWidth: 3, borderDash: [2, 3],
    };
    const config = window.Cohort.curveConfig(curves(), data.max_score, [nowLine]);
    const last = data.steps[data.steps.length - 1];
    Object.assign(config.options.scales.x, { min: 0, max: Math.max(0, last.t) / 1000 });
    const canvas = $("replay-chart");
    const existing = Chart.getChart(canvas);
    if (existing) existing.destroy(); // another room: another outcome space and time span
    new Chart(canvas, config);
  }

  function show() {
    const step = data.steps[index];
    const root = $("replay");
    root.dataset.step = String(index);
    root.dataset.seq = String(step.seq);
    $("replay-slider").value = String(index);
    $("replay-pos").textContent = t("replay.position", { n: index + 1, of: data.steps.length, phase: t("phase." + step.phase) });
    window.ReplayView.event($("replay-event"), step);
    const before = index > 0 ? data.steps[index - 1].standing : {};
    for (const role of ["buyer", "seller"]) card(role, step.standing[role], before[role]);
    $("replay-prev").disabled = $("replay-home").disabled = index === 0;
    $("replay-next").disabled = $("replay-end").disabled = index === data.steps.length - 1;
    const drawn = Chart.getChart($("replay-chart"));
    if (drawn) {
      drawn.data.datasets.find((d) => d.key === "now").data = marker();
      drawn.update("none");
    }
  }
  function go(to) {
    if (!data) return;
    index = Math.max(0, Math.min(data.steps.length - 1, to));
    show();
  }
  function play(on) {
    clearInterval(timer);
    timer = null;
    const button = $("replay-play");
    button.setAttribute("aria-pressed", String(on));
    button.textContent = t(on ? "replay.pause" : "replay.play");
    if (!on) return;
    if (index === data.steps.length - 1) go(0);
    timer = setInterval(() => {
      if (index >= data.steps.length - 1) play(false);
      else go(index + 1);
    }, STEP_MS);
  }

  // Keys on the replay panel; the slider handles its own arrows (its input event steps).
  function onKey(event) {
    if (!data || event.target === $("replay-slider")) return;
    const moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: data.steps.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    play(false);
    go(moves[event.key]);
  }

  let bound = false;
  function bind() {
    if (bound) return;
    bound = true;
    $("replay-home").addEventListener("click", () => { play(false); go(0); });
    $("replay-prev").addEventListener("click", () => { play(false); go(index - 1); });
    $("replay-next").addEventListener("click", () => { play(false); go(index + 1); });
    $("replay-end").addEventListener("click", () => { play(false); go(data.steps.length - 1); });
    $("replay-play").addEventListener("click", () => play(timer === null));
    $("replay-slider").addEventListener("input", (event) => { play(false); go(Number(event.target.value)); });
    $("replay").addEventListener("keydown", onKey);
  }

  // Show a replay (an answer of GET /api/rooms/{room}/replay), from its first step.
  function load(answer) {
    bind();
    play(false);
    data = answer;
    index = 0;
    const root = $("replay");
    root.hidden = false;
    root.dataset.room = answer.room;
    $("replay-slider").max = String(answer.steps.length - 1);
    chart();
    show();
  }
  function close() {
    play(false);
    data = null;
    const root = $("replay");
    root.hidden = true;
    delete root.dataset.room;
  }
  return { load, close, get room() { return data && data.room; } };
})();
