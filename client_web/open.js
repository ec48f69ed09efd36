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
  // A wait the server asks for, kept between 1 s and 2 min whatever a proxy sends.
  function retryAfter(response) {
    const seconds = Number(response.headers.get("Retry-After"));
    return Number.isFinite(seconds) ? Math.min(120, Math.max(1, seconds)) : 5;
  }
  function retry(name, seconds, text) {
    status.textContent = text;
    setTimeout(() => takeSeat(name), seconds * 1000);
  }
  async function takeSeat(name) {
    status.textContent = t("open.finding");
    let response, answer;
    try {
      response = await fetch(`/open/${encodeURIComponent(token)}/seat`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      });
      answer = await response.json();
    } catch (_) {  // offline, or a proxy's page instead of the server's JSON: try again
      retry(name, 5, t("open.retrying", { s: 5 }));
      return;
    }
    if (!response.ok) {
      const code = answer && answer.error ? answer.error.code : "";
      if (code === "rate_limited" || response.status >= 500) {
        const seconds = retryAfter(response);
        const text = code === "rate_limited" ? "open.rate_limited" : "open.retrying";
        retry(name, seconds, t(text, { s: seconds }));
      } else {
        status.textContent = code === "workshop_full" ? t("open.full")
          : code === "workshop_archived" ? t("open.closed")
          : (answer && answer.error ? answer.error.message : String(response.status));
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
