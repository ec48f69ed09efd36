// The facilitator console: sign in, pick or create a workshop (or rename, duplicate
// or archive one from the list of workshops), watch its rooms
// (the grid, fed by one facilitator socket per room: watch.js, state.js), open a
// room beside the grid, sign off, and act on one room or all. Every view is a
// function of the state, rendered again on every change and every second (the
// clocks); Preact touches only what differs. The cohort panel and the replay are
// drawn by cohort.js and replay.js (Chart.js), driven from here, and so is what the
// projector shows at the facilitator's word (a room's replay, labels on its scatter).
import { html, render, t } from "../html.js";
import * as API from "./api.js";
import * as S from "./state.js";
import { watcher } from "./watch.js";
import { byAttention } from "./rules.js";
import { Grid } from "./grid.js";
import { DrawerTop } from "./drawer.js";
import { Transcript } from "./transcript.js";
import { Bar, CreateForm, Picker, Toolbar } from "./workspace.js";
import { ArchivedNote, WorkshopList } from "./workshops.js";
import { ProjectorLine } from "./projector.js";
import { time } from "./format.js";

const I18N = window.I18N;
const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

const state = S.initial();
const ui = {
  chosen: null, selected: null, creating: false, notice: null, copied: false,
  listOpen: false, renaming: null, showArchived: false, allArchived: false,
};
const sockets = watcher({
  token: API.token,
  lastSeq: (id) => (state.rooms.get(id) ? state.rooms.get(id).lastSeq : 0),
  finished: (id) => { const room = state.rooms.get(id); return !room || room.phase === "ended"; },
  onFrame,
});

function onFrame(id, frame) {
  const room = state.rooms.get(id);
  if (!room) return;
  if (frame.type === "welcome") S.welcome(room, frame);
  else if (frame.type === "event") S.fold(room, frame);
  else return;
  draw();
}

// -- loading -----------------------------------------------------------------------
async function signIn(token) {
  API.remember(token);  // what every API call sends
  try {
    state.scenarios = await API.scenarios();
  } catch (error) {
    API.forget();
    $("signin-error").textContent = t("bad_token");
    return;
  }
  $("signin").hidden = true;
  $("workspace").hidden = false;
  await loadWorkshops();
  setInterval(poll, POLL_MS);
  setInterval(draw, 1000);  // the clocks, "idle" and "ago"
}

// Archived workshops only with "Show archived"; with none other left, the empty
// page says that they are all archived.
const listWorkshops = () => API.workshops(ui.showArchived ? "include" : undefined);

async function loadWorkshops(choose) {
  state.workshops = await listWorkshops();
  ui.allArchived = !ui.showArchived && state.workshops.length === 0
    && (await API.workshops("only", 1).catch(() => [])).length > 0;
  const ids = state.workshops.map((w) => w.id);
  const next = choose || (ids.includes(ui.chosen) ? ui.chosen : ids[ids.length - 1] || null);
  if (next !== ui.chosen) await chooseWorkshop(next);
  else await refresh();
}

async function chooseWorkshop(id) {
  ui.chosen = id;
  ui.selected = null;
  state.workshop = null;
  state.rooms = new Map();
  state.fullScenario = null;
  window.Replay.close();
  sockets.watch([]);
  draw();
  if (!id) return;
  await refresh();
  const scenario = state.workshop && state.workshop.scenario;
  if (scenario) API.fullScenario(scenario).then((full) => { state.fullScenario = full; draw(); }).catch(() => null);
  refreshCohort(true);
}

async function refresh() {
  const id = ui.chosen;
  if (!id) { draw(); return; }
  try {
    const workshop = await API.workshop(id);
    if (id !== ui.chosen) return;
    S.workshopFetched(state, workshop);
    sockets.watch([...state.rooms.keys()]);
    if (ui.selected && !state.rooms.has(ui.selected)) closeDrawer();
  } catch (error) {
    notice(error.message);
  }
  draw();
  refreshCohort(false);
}

let polls = 0;
async function poll() {
  polls += 1;
  if (polls % 5 === 0) state.workshops = await listWorkshops().catch(() => state.workshops);
  await refresh();
}

// -- actions -------------------------------------------------------------------------
function notice(text) { ui.notice = text; draw(); }

async function act(room, action) {
  if (action === "end" && !confirm(t("confirm_end_room", { room: room.label || room.id }))) return;
  try { await API.control(room.id, action); } catch (error) { notice(error.message); }
  await refresh();
}

// A seat for a bot; replacing a person who is gone asks first, naming them.
async function bot(room, role, rule) {
  if (!rule.allowed) return;
  if (rule.replaces) {
    const who = rule.replaces.name || t("role." + role);
    const question = t("confirm_bot_replace", {
      name: who, role: t("role." + role), time: rule.replaces.since ? time(rule.replaces.since) : "?" });
    if (!confirm(question)) return;
  }
  try { await API.seatBot(room.id, role); } catch (error) { notice(error.message); }
  await refresh();
}

async function say(room, text, to) {
  let ok = true;
  try {
    if (to === "all") ok = refusedNone(await API.workshopWide(state.workshop.id, "announce", { text }));
    else if (to === "buyer" || to === "seller") await API.mediate(room.id, text, to);
    else await API.announce(room.id, text);
  } catch (error) { notice(error.message); ok = false; }
  await refresh();
  return ok;
}
// A workshop-wide answer: each room applied or refused; say the first refusal.
function refusedNone(answer) {
  const refused = (answer.rooms || []).filter((r) => r.result === "refused");
  if (refused.length) notice(refused[0].message || refused[0].code);
  return refused.length === 0;
}
async function startRound() {
  try { refusedNone(await API.startRound(state.workshop.id)); } catch (error) { notice(error.message); }
  await refresh();
}

async function decide(room, request, approve, note) {
  try { await API.decide(room.id, request, approve, note); } catch (error) { notice(error.message); }
  await refresh();
}

async function all(action) {
  if (action === "end" && !confirm(t("confirm_end"))) return;
  if (action === "extend" || action === "end") {  // the server's: the round moves or ends too
    const body = action === "extend" ? { seconds: 300 } : undefined;
    await API.workshopWide(state.workshop.id, action, body).then(refusedNone, (e) => notice(e.message));
  } else {
    const rooms = [...state.rooms.values()].filter((r) => r.phase !== "ended");
    await Promise.all(rooms.map((r) => API.control(r.id, action).catch(() => null)));
  }
  await refresh();
}

async function create(body) {
  try {
    const created = await API.createWorkshop(body);
    ui.creating = false;
    await loadWorkshops(created.id);
    return true;
  } catch (error) {
    notice(error.message);
    return false;
  }
}

// -- housekeeping: the list of workshops -----------------------------------------------
// Archiving never stops a room unasked: the server refuses while rooms have not
// ended (workshop_live, with how many); the console then asks, ends them, archives.
async function archive(workshop) {
  try {
    await API.archiveWorkshop(workshop.id);
  } catch (error) {
    if (error.code !== "workshop_live") { notice(error.message); return; }
    if (!confirm(t("confirm_archive_live", { name: workshop.title, n: error.error.live_rooms }))) return;
    try {
      await API.workshopWide(workshop.id, "end");
      await API.archiveWorkshop(workshop.id);
    } catch (again) {
      notice(again.message);
    }
  }
  await loadWorkshops();
}

async function unarchive(workshop) {
  await API.unarchiveWorkshop(workshop.id).catch((e) => notice(e.message));
  await loadWorkshops();
}

const housekeeping = {
  choose: (id) => { ui.renaming = null; return chooseWorkshop(id); },
  startRename: (id) => { ui.renaming = id; draw(); },
  cancelRename: () => { ui.renaming = null; draw(); },
  async rename(workshop, title) {
    try {
      await API.renameWorkshop(workshop.id, title);
      ui.renaming = null;
    } catch (error) {
      notice(error.message);
    }
    await loadWorkshops();
  },
  async duplicate(workshop) {
    try {
      const copy = await API.duplicateWorkshop(workshop.id);
      await loadWorkshops(copy.id);
    } catch (error) {
      notice(error.message);
    }
  },
  archive,
  unarchive,
  async showArchived(on) {
    ui.showArchived = on;
    ui.listOpen = ui.listOpen || on;
    await loadWorkshops();
  },
  close: () => { ui.listOpen = false; ui.renaming = null; draw(); },
};

async function moreSeats() {
  const workshop = state.workshop;
  if (!workshop) return;
  await API.setCapacity(workshop.id, workshop.capacity + 20).catch((e) => notice(e.message));
  await refresh();
}

// The debrief goes up on the projector step by step, in front of the group: the
// deals, then both walk-away lines (each side then sees the other's limit: asked
// first), then the frontier and the Nash point.
async function revealNow() {
  const workshop = state.workshop;
  if (!workshop) return;
  const step = (workshop.revealed || 0) + 1;
  if (step === 2 && !confirm(t("confirm_reveal"))) return;
  await API.reveal(workshop.id, step).catch((e) => notice(e.message));
  await refresh();
}

// One room's negotiation replayed on the projector, in front of the group, until
// stopped; a room still negotiating asks first (everyone reads its offers there).
async function spotlight(room, on) {
  const workshop = state.workshop;
  if (!workshop) return;
  const live = on && room.phase !== "ended";
  if (live && !confirm(t("spotlight.confirm_live", { room: room.label || room.id }))) return;
  try {
    if (on) await API.spotlight(workshop.id, room.id);
    else await API.stopSpotlight(workshop.id);
  } catch (error) { notice(error.message); }
  await refresh();
}
async function projectorLabels(shown) {
  const workshop = state.workshop;
  if (!workshop) return;
  workshop.labels_shown = shown;  // at once: a redraw meanwhile keeps the box as ticked
  await API.projectorLabels(workshop.id, shown).catch((e) => notice(e.message));
  await refresh();
}

async function copy(url) {
  try {
    await navigator.clipboard.writeText(url);
  } catch (_) {  // no clipboard permission: select the link's text for Ctrl+C
    const range = document.createRange();
    range.selectNodeContents($("open-link-url"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
  ui.copied = true;
  draw();
  setTimeout(() => { ui.copied = false; draw(); }, 2000);
}

// -- the drawer ----------------------------------------------------------------------
function openRoom(id) {
  if (ui.selected !== id) window.Replay.close();
  ui.selected = id;
  replayed = null;
  draw();
  const room = state.rooms.get(id);
}
function closeDrawer() {
  ui.selected = null;
  window.Replay.close();
  draw();
}
let replayed = null;  // which room's replay is loaded
async function openReplay() {
  const id = ui.selected;
  if (!id) return;
  replayed = id;
  try {
    const answer = await API.replay(id);
    if (ui.selected === id) window.Replay.load(answer);
  } catch (error) {
    replayed = null;
  }
}
function showFirstSignOff() {
  const first = S.signOffs(state)[0];
  if (first) openRoom(first.room.id);
}

// -- the cohort panel: fetched only while open, on screen and the tab visible, at
// most every 2 s (the console's poll asks, this decides) -------------------------------
const cohortTable = window.Cohort.sortableTable($("cohort-table"));
let cohortAt = 0, cohortBusy = false, cohortAgain = false, cohortOf = null, cohortInView = false, curveChoice = null;
new IntersectionObserver((entries) => {
  cohortInView = entries.some((e) => e.isIntersecting);
  if (cohortInView) refreshCohort(false);
}).observe($("cohort-panel"));
$("cohort-panel").addEventListener("toggle", () => refreshCohort(true));
document.addEventListener("visibilitychange", () => refreshCohort(false));
$("curve-room").addEventListener("change", () => { curveChoice = $("curve-room").value; refreshCohort(true); });

async function refreshCohort(force) {
  const id = ui.chosen;
  const shown = $("cohort-panel").open && cohortInView && document.visibilityState === "visible";
  if (!id || !shown) return;
  if (cohortBusy) { cohortAgain = cohortAgain || force || id !== cohortOf; return; }
  if (!force && id === cohortOf && Date.now() - cohortAt < 2000) return;
  cohortBusy = true; cohortAt = Date.now();
  try {
    const data = await API.cohort(id);
    // Another workshop chosen meanwhile: this answer is stale; draw nothing of it.
    if (id === ui.chosen) {
      if (cohortOf !== id) curveChoice = null;
      cohortOf = id;
      drawCohort(data);
    }
  } catch (error) {
    $("cohort-counts").textContent = error.message;
  } finally {
    cohortBusy = false;
  }
  // A forced refresh (another workshop, another room's curves) asked while this one
  // was in flight goes now, instead of being lost.
  if (cohortAgain || id !== ui.chosen) { cohortAgain = false; refreshCohort(true); }
}
// The scatter's points labelled with their rooms, or not: this console's own choice
// (the projector's is the server's, ProjectorLine), drawn again at once from the last data.
let cohortData = null;
$("cohort-labels").addEventListener("change", () => { if (cohortData) drawScatter(cohortData); });
function drawScatter(data) {
  const labels = $("cohort-labels").checked;
  window.Cohort.draw($("cohort-scatter"), window.Cohort.scatterConfig(data, { labels }));
}
function drawCohort(data) {
  cohortData = data;
  const c = data.counts;
  $("cohort-counts").textContent = t("cohort.counts", {
    rooms: c.rooms, agreed: c.agreed, walked: c.walked_away, deadlocked: c.deadlocked,
    running: c.running + c.paused, waiting: c.waiting, expired: c.expired + c.closed });
  cohortTable.update(data);
  drawScatter(data);
  window.Cohort.draw($("cohort-histogram"), window.Cohort.histogramConfig(data));
  const select = $("curve-room");
  const labels = data.rooms.map((r) => `${r.room}=${r.label}`).join("|");
  if (select.dataset.rooms !== labels) {
    select.replaceChildren(...data.rooms.map((r) => new Option(r.label || r.room, r.room)));
    select.dataset.rooms = labels;
  }
  const fallback = data.rooms.find(window.Cohort.hasOffers) || data.rooms[0];
  const room = data.rooms.find((r) => r.room === curveChoice) || fallback;
  // A workshop without rooms has no curves: clear the previous workshop's.
  const curves = room ? room.curves : { buyer: [], seller: [] };
  if (room) select.value = room.room;
  window.Cohort.draw($("cohort-curves"), window.Cohort.curveConfig(curves, data.max_score));
}

// -- drawing -------------------------------------------------------------------------
function Workspace({ now }) {
  const workshops = state.workshops;
  if (workshops === null) return null;
  const notice = ui.notice && html`<p class="notice" role="alert">${ui.notice}
    <button type="button" class="close" aria-label=${t("close")} onClick=${() => { ui.notice = null; draw(); }}>×</button></p>`;
  if (workshops.length === 0) {  // nothing to watch yet: only what can work, the create form
    return html`${notice}<${CreateForm} scenarios=${state.scenarios} create=${create} first=${true}
                                        allArchived=${ui.allArchived} showArchived=${() => housekeeping.showArchived(true)} />`;
  }
  const workshop = state.workshop;
  const rooms = byAttention([...state.rooms.values()], now);
  // The chosen workshop stays in the picker when a poll no longer lists it (archived
  // from another console), until another is chosen.
  const picked = workshop && !workshops.some((w) => w.id === workshop.id) ? [...workshops, workshop] : workshops;
  return html`
    ${notice}
    <section class="panel workshop-panel" aria-label=${t("workshop")}>
      <${Picker} workshops=${picked} scenarios=${state.scenarios} chosen=${ui.chosen}
                 choose=${chooseWorkshop} startNew=${() => { ui.creating = true; draw(); }}
                 listOpen=${ui.listOpen} toggleList=${() => { ui.listOpen = !ui.listOpen; ui.renaming = null; draw(); }} />
      ${ui.listOpen && html`<${WorkshopList} workshops=${workshops} scenarios=${state.scenarios} chosen=${ui.chosen}
                                             renaming=${ui.renaming} showArchived=${ui.showArchived} actions=${housekeeping} />`}
      ${ui.creating && html`<${CreateForm} scenarios=${state.scenarios} create=${create}
                                           cancel=${() => { ui.creating = false; draw(); }} />`}
      ${workshop && workshop.archived_at && html`<${ArchivedNote} workshop=${workshop} unarchive=${unarchive} />`}
      ${workshop && html`<${Toolbar} workshop=${workshop} copied=${ui.copied} copy=${copy} all=${all}
                                     moreSeats=${moreSeats} revealNow=${revealNow} startRound=${startRound} say=${say}
                                     exportAs=${(format) => API.download(workshop.id, format).catch((e) => notice(e.message))} />`}
      ${workshop && html`<${ProjectorLine} workshop=${workshop} rooms=${state.rooms}
                                           stop=${() => spotlight(null, false)} setLabels=${projectorLabels} />`}
    </section>
    ${workshop && (rooms.length
      ? html`<section class="panel rooms-panel"><${Grid} rooms=${rooms} now=${now} selected=${ui.selected}
                                                         open=${openRoom} act=${act} /></section>`
      : html`<p id="no-rooms" class="panel empty-rooms">${t("no_rooms_yet")}</p>`)}`;
}

function draw() {
  const now = Date.now();
  const waiting = S.signOffs(state).length;
  document.title = waiting ? `(${waiting}) dealroom · ${t("console")}` : `dealroom · ${t("console")}`;
  render(html`<${Bar} waiting=${waiting} showFirst=${showFirstSignOff} />`, $("bar-live"));
  if ($("workspace").hidden) return;
  render(html`<${Workspace} now=${now} />`, $("workspace-live"));
  $("cohort-panel").hidden = !state.workshop;
  const room = ui.selected && state.rooms.get(ui.selected);
  $("workspace").classList.toggle("with-drawer", Boolean(room));
  $("detail").hidden = !room;
  if (!room) {
    render(null, $("drawer-live"));
    render(null, $("drawer-log"));
    return;
  }
  // An ended room opens on its replay (a live one on request), also when it ends while open.
  if (room.phase === "ended" && replayed !== room.id) openReplay();
  const scenario = S.scenarioOf(state, room);
  const spotlit = Boolean(state.workshop && state.workshop.spotlight && state.workshop.spotlight.room === room.id);
  render(html`<${DrawerTop} room=${room} scenario=${scenario} now=${now} close=${closeDrawer} act=${act}
                            bot=${bot} say=${say} decide=${decide} openReplay=${openReplay}
                            spotlit=${spotlit} spotlight=${spotlight} />`, $("drawer-live"));
  render(html`<${Transcript} room=${room} scenario=${scenario} />`, $("drawer-log"));
}

// -- start ---------------------------------------------------------------------------
I18N.apply();
window.Cohort.configure(16);  // the cohort is shown on a projector too: big type
draw();
// The token: from /#token=… (taken out of the address at once), or this tab's sign-in.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) history.replaceState(null, "", location.pathname + location.search);
$("signin").addEventListener("submit", (event) => { event.preventDefault(); signIn($("token").value); });
document.addEventListener("keydown", (event) => { if (event.key === "Escape" && ui.selected) closeDrawer(); });
if (fromHash || API.token()) signIn(fromHash || API.token());
