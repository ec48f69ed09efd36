// What the two shared screens (the lobby and the projector) have in common: polling
// their page's data, and a workshop round's countdown as they show it: "Time left" over
// big m:ss, on the server's clock (skew = the server's time minus this machine's, from
// the data the page polls). Before a together-workshop's first start it says the round
// starts when the facilitator starts it; after the deadline, or once ended, time is up.
"use strict";
window.Countdown = (function () {
  const { t } = window.I18N;
  function format(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? `${h}:` : "") + `${mm}:${String(s).padStart(2, "0")}`;
  }
  // The round to show from a poll's data: the latest round, a together-workshop's
  // "not started yet", or null (nothing to show).
  function from(data) {
    if (data.round) return data.round;
    return data.workshop && data.workshop.start === "together" ? { waiting: true } : null;
  }
  // Draw `round` into `box` (a <p class="round">) as of now.
  function render(box, round, skew) {
    box.className = "round";
    if (!round) { box.hidden = true; return; }
    box.hidden = false;
    if (round.waiting) {
      box.classList.add("waiting");
      box.textContent = t("round.waiting");
      return;
    }
    if (round.deadline === null) {
      box.textContent = t(round.ended_at ? "round.over" : "round.no_limit");
      return;
    }
    const left = round.ended_at ? 0 : round.deadline - (Date.now() + skew);
    if (left <= 0) box.classList.add("over");
    const big = document.createElement("span");
    big.className = "left";
    big.textContent = format(left);
    box.replaceChildren(document.createTextNode(t(left > 0 ? "round.time_left" : "round.over")), big);
  }
  // Fetch `${this page's path}/data` every `everyMs` and hand it to `show`; while it
  // fails, say so in #status (the page keeps its last figures).
  function poll(everyMs, show) {
    const source = `${location.pathname.replace(/\/+$/, "")}/data`;
    async function once() {
      try {
        const response = await fetch(source, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        show(await response.json());
        document.getElementById("status").textContent = "";
      } catch (error) {
        document.getElementById("status").textContent = t("projector.offline");
      } finally {
        setTimeout(once, everyMs);
      }
    }
    once();
  }
  return { format, from, render, poll };
})();
