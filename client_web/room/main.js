// The participant's room: the state folded from the room's events (state.js),
// the connection (link.js), and views that are functions of both. Everything is
// rendered again on every change; Preact touches only what differs.
import { cap, html, render, t } from "../html.js";
import * as room from "./state.js";
import { openLink } from "./link.js";
import { whatNow } from "./whatnow.js";
import { bestPackage, changed } from "./terms.js";
import { Actions, Composer, draftOf, terms } from "./composer.js";
import { Theirs } from "./theirs.js";
import { Feed } from "./feed.js";
import { Banners, Strip } from "./strip.js";
import { Brief, Outcome, fetchDebrief } from "./outcome.js";
import { summary } from "./meanwhile.js";

const I18N = window.I18N;
const token = decodeURIComponent(location.pathname.split("/").pop() || "");
const state = room.initial();
const ui = { draft: null, banners: [], debrief: null, catchingUp: false, reconnect: false,
             meanwhile: [], problem: null };
let connection = null;
let bannerIds = 0;
let name = new URLSearchParams(location.search).get("name") || localStorage.getItem("dealroom.name") || "";

// One banner per kind (a newer offer replaces the older one's banner); errors pile up.
function banner(kind, text) {
  ui.banners = [...ui.banners.filter((b) => b.kind !== kind || kind === "error"), { id: ++bannerIds, kind, text: cap(text) }];
}
function dismiss(id) { ui.banners = ui.banners.filter((b) => b.id !== id); draw(); }

function onFrame(frame) {
  if (frame.type === "welcome") {
    const first = state.role === null;
    room.welcome(state, frame, window.ScenarioText.localize(frame.scenario, frame.brief, I18N.wanted));
    if (first) {
      document.title = `${state.scenario.title} · dealroom`;
      ui.draft = draftOf(state.scenario.issues, bestPackage(state.scenario.issues, state.brief));
    }
    ui.catchingUp = true;
    ui.reconnect = !first;
    ui.meanwhile = [];
    ui.problem = null;
  } else if (frame.type === "pong" && frame.id === "caught-up") {
    ui.catchingUp = false;
    if (ui.reconnect && ui.meanwhile.length) banner("meanwhile", summary(state, ui.meanwhile));
    ui.meanwhile = [];
  } else if (frame.type === "event") {
    if (!state.scenario || !room.fresh(state, frame)) return;
    const theirsBefore = state.standing[room.counterpart(state.role)];
    room.fold(state, frame);
    if (frame.by === state.role && frame.kind === "offer") ui.draft = draftOf(state.scenario.issues, frame.terms);
    if (frame.kind === "ended") fetchDebrief(token).then((answer) => { ui.debrief = answer; draw(); });
    if (ui.catchingUp) { if (ui.reconnect && frame.by !== state.role) ui.meanwhile.push(frame); }
    else live(frame, theirsBefore);
  } else if (frame.type === "error") {
    const text = I18N.error(frame.code, frame.message);
    if (frame.id && frame.code === "unavailable") banner("error", text);  // it goes again by itself
    else if (frame.id) banner("error", t("not_sent", { reason: text }));
    else if (state.role === null) ui.problem = text;  // the hello failed: say why instead of the room
  }
  draw();
}

// Live events a person must not miss come as banners.
function live(e, theirsBefore) {
  const me = state.role;
  if (e.kind === "offer" && e.by !== me) {
    const moved = changed(state.scenario.issues, theirsBefore && theirsBefore.terms, e.terms).map((i) => i.label);
    banner("offer", t(moved.length ? "banner.offer_changed" : "banner.offer",
                      { role: t("role." + e.by), class: t("class." + e.class), issues: moved.join(", ") }));
  } else if (e.kind === "announcement") banner("announcement", t("announcement", { text: e.text }));
  else if (e.kind === "message" && e.by === "facilitator" && e.to) banner("mediator", t("banner.mediator", { text: e.text }));
  else if (e.kind === "approval_decided" && e.role === me) {
    banner("sign_off", t(!e.approved ? "sign_off_declined" : e.applied ? "sign_off_approved" : "sign_off_lapsed"));
  } else if (e.kind === "rejected" && e.by !== me) banner("offer", t("banner.rejected", { role: t("role." + e.by) }));
}

// -- moves -------------------------------------------------------------------------
function send(kind) {
  const gates = current().gates;
  if (gates[kind]) return;
  connection.move(kind, { terms: terms(state.scenario.issues, ui.draft) });
}
function answer(kind) {
  const standing = state.standing[room.counterpart(state.role)];
  if (!standing || current().gates[kind]) return;
  if (confirm(t(kind === "accept" ? "confirm_accept" : "confirm_reject"))) connection.move(kind, { offer: standing.seq });
}
function say(text, intent) { connection.move("message", intent ? { text, intent } : { text }); }
function walk() { if (!current().gates.walk && confirm(t("confirm_walk"))) connection.move("walk_away", {}); }
function edit(issue, value) { ui.draft = { ...ui.draft, [issue]: value }; draw(); }
function reset() {
  const mine = state.lastTerms[state.role];
  ui.draft = draftOf(state.scenario.issues, mine || bestPackage(state.scenario.issues, state.brief));
  draw();
}
function current() {
  return whatNow(state, connection.link, ui.draft ? terms(state.scenario.issues, ui.draft) : null);
}

// -- views -------------------------------------------------------------------------
function Bar({ link }) {
  if (!link) return html`<h1 id="title">dealroom</h1>`;
  const linkState = link.fresh ? "online" : link.everOnline ? "offline" : "connecting";
  return html`
    <h1 id="title">${state.scenario ? state.scenario.title : "dealroom"}</h1>
    ${state.role && html`<span id="role" class="badge">${t("role." + state.role)}</span>`}
    <span id="link" class="link" role="status" data-state=${linkState}>${t(linkState)}</span>
    ${link.outbox.size > 0 && html`<span id="pending" class="pending" role="status">${t("pending", { n: link.outbox.size })}</span>`}`;
}

function Room() {
  const { status, gates } = current();
  const composed = terms(state.scenario.issues, ui.draft);
  const ended = state.phase === "ended";
  return html`
    <${Strip} state=${state} status=${status} now=${Date.now()} elsewhere=${connection.link.elsewhere} />
    <${Banners} banners=${ui.banners.slice(-3)} dismiss=${dismiss} />
    ${ended && html`<${Outcome} state=${state} debrief=${ui.debrief} />`}
    <main class="room">
      <div class="col">
        <${Brief} state=${state} open=${true} />
      </div>
      <div class="col">
        ${!ended && html`<${Theirs} state=${state} gates=${gates} answer=${answer} />`}
        <${Feed} state=${state} gates=${gates} say=${say} />
      </div>
      <div class="col">
        ${!ended && html`<${Composer} state=${state} draft=${ui.draft} composed=${composed} gates=${gates}
                                      edit=${edit} send=${send} reset=${reset} />`}
        ${!ended && html`<section class="panel leave" aria-labelledby="leave-h">
          <h2 id="leave-h">${t("leave_table")}</h2>
          <p class="help">${t("leave_help")}</p>
          <${Actions} items=${[{ id: "walk", label: t("walk_away"), className: "danger", gate: gates.walk, onClick: walk }]} />
        </section>`}
      </div>
    </main>`;
}

function draw() {
  render(html`<${Bar} link=${connection && connection.link} />`, document.getElementById("bar-live"));
  const app = document.getElementById("app");
  if (ui.problem) render(html`<p class="panel problem" role="alert">${ui.problem}</p>`, app);
  else if (state.scenario) render(html`<${Room} />`, app);
  else render(null, app);
}

function start() {
  connection = openLink({ token, name, lang: I18N.wanted, lastSeq: () => state.lastSeq,
                          onFrame, onChange: () => draw() });
  draw();
  setInterval(draw, 1000);  // the clock
}

I18N.apply();
if (name) {
  start();
} else {  // first visit: only the name first, then the room
  const box = document.getElementById("namebox");
  box.hidden = false;
  document.getElementById("display-name").focus();
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    name = document.getElementById("display-name").value.trim();
    if (!name) return;
    localStorage.setItem("dealroom.name", name);
    box.hidden = true;
    start();
  });
  draw();
}
