// The printable seat cards of a workshop: one card per seat, with the workshop, the
// room, the role, the seat's QR code (drawn by the server: /qr/{token}.svg) and its
// link, and a card for the workshop's open link. The facilitator token comes from the
// console that opened this tab (facilitator.js); every text goes through textContent.
"use strict";
(async function () {
  const { t, apply } = window.I18N;
  const $ = (id) => document.getElementById(id);
  apply();
  $("print").addEventListener("click", () => window.print());
  const id = new URLSearchParams(location.search).get("workshop") || "";
  let workshop;
  try {
    workshop = await window.Facilitator.load(`/api/workshops/${encodeURIComponent(id)}`, $("signin"));
  } catch (error) {
    $("error").textContent = error.message;
    return;
  }
  document.title = `dealroom · ${t("seats.heading")} · ${workshop.title}`;
  $("title").textContent = `${t("seats.heading")} · ${workshop.title}`;
  $("subtitle").textContent = t("seats.summary", { rooms: workshop.rooms.length, seats: 2 * workshop.rooms.length });

  function card(kind, heading, role, url, token) {
    const article = document.createElement("article");
    article.className = `card ${kind}`;
    const title = document.createElement("p");
    title.className = "workshop"; title.textContent = workshop.title;
    const h2 = document.createElement("h2");
    h2.textContent = heading;
    const badge = document.createElement("p"); // the role; the open link says who it is for
    badge.className = kind === "open" ? "for" : "role"; badge.textContent = role;
    const qr = document.createElement("img");
    qr.src = `/qr/${encodeURIComponent(token)}.svg`;
    qr.alt = `QR: ${heading} · ${role}`;
    qr.width = 160; qr.height = 160;
    const scan = document.createElement("p");
    scan.className = "scan"; scan.textContent = t("seats.scan");
    const link = document.createElement("p");
    link.className = "url"; link.textContent = url;
    article.dataset.url = url;
    article.append(title, h2, badge, qr, scan, link);
    return article;
  }
  const cards = [card("open", t("seats.open_card"), t("seats.open_hint"), workshop.open_link.url, workshop.open_link.token)];
  for (const room of workshop.rooms) {
    for (const role of ["buyer", "seller"]) {
      const seat = room.seats[role];
      cards.push(card(role, room.label || room.id, t("role." + role), seat.url, seat.token));
    }
  }
  $("cards").replaceChildren(...cards);
  // Ready to print once every code has loaded.
  await Promise.all([...document.querySelectorAll("#cards img")].map((img) => img.decode().catch(() => null)));
  $("print").disabled = false;
  document.body.dataset.ready = "true";
})();
