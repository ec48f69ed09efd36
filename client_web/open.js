// The open link: ask a name, take the next seat, go to it. The seat is kept in
// localStorage so that reloading this page returns to the same seat.
"use strict";
(function () {
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const key = "dealroom.open." + token;
  const status = document.getElementById("status");
  const kept = localStorage.getItem(key);
  if (kept) { location.replace(kept); return; }
  document.getElementById("arrive").addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Finding your seat…";
    const name = document.getElementById("name").value;
    const response = await fetch(`/open/${encodeURIComponent(token)}/seat`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    const answer = await response.json();
    if (!response.ok) { status.textContent = answer.error.message; return; }
    const seat = `${answer.url}?name=${encodeURIComponent(name)}`;
    localStorage.setItem(key, seat);
    location.assign(seat);
  });
})();
