// The open link: ask a name, take the next seat, go to it. The seat is kept in
// localStorage so that reloading this page returns to the same seat instead of
// taking another. A refusal is shown in the participant's language by its code;
// `rate_limited` (many arrivals from one network address) waits and retries by itself.
"use strict";
(function () {
  const { t, apply } = window.I18N;
  apply();
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const key = "dealroom.open." + token;
  const status = document.getElementById("status");
  const kept = localStorage.getItem(key);
  if (kept) { location.replace(kept); return; }
  async function takeSeat(name) {
    status.textContent = t("open.finding");
    const response = await fetch(`/open/${encodeURIComponent(token)}/seat`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    const answer = await response.json();
    if (!response.ok) {
      const code = answer.error.code;
      if (code === "rate_limited") {
        const seconds = Number(response.headers.get("Retry-After")) || 5;
        status.textContent = t("open.rate_limited", { s: seconds });
        setTimeout(() => takeSeat(name), seconds * 1000);
      } else {
        status.textContent = code === "workshop_full" ? t("open.full") : answer.error.message;
      }
      return;
    }
    const seat = `${answer.url}?name=${encodeURIComponent(name)}`;
    localStorage.setItem(key, seat);
    location.assign(seat);
  }
  document.getElementById("arrive").addEventListener("submit", (event) => {
    event.preventDefault();
    takeSeat(document.getElementById("name").value);
  });
})();
