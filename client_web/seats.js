// A printable sheet of a workshop's seats: one card per seat with its QR code and link.
"use strict";
(async function () {
  const { t, apply } = window.I18N;
  apply();
  const token = sessionStorage.getItem("dealroom.facilitator") || "";
  const workshop = new URLSearchParams(location.search).get("workshop");
  const response = await fetch(`/api/workshops/${encodeURIComponent(workshop)}`,
                               { headers: { Authorization: `Bearer ${token}` } });
  const answer = await response.json();
  if (!response.ok) { document.getElementById("title").textContent = answer.error.message; return; }
  document.getElementById("title").textContent = answer.title;
  const cards = [];
  const card = (heading, url, seatToken) => {
    const div = document.createElement("div"); div.className = "card";
    const h = document.createElement("h2"); h.textContent = heading;
    const img = document.createElement("img");
    img.src = `/qr/${encodeURIComponent(seatToken)}.svg`; img.alt = `QR code: ${heading}`;
    const p = document.createElement("p"); p.textContent = url;
    div.append(h, img, p);
    return div;
  };
  cards.push(card(t("open_link"), answer.open_link.url, answer.open_link.token));
  for (const room of answer.rooms) {
    for (const role of ["buyer", "seller"]) {
      cards.push(card(`${room.label || room.id} · ${role}`, room.seats[role].url, room.seats[role].token));
    }
  }
  document.getElementById("cards").replaceChildren(...cards);
})();
