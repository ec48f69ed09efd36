// The console's frame: the header bar (the count of sign-offs waiting, which
// cannot be missed), the workshop picker and the create form (the whole screen
// when there is no workshop yet), and the chosen workshop's links and actions.
// The list of workshops and its housekeeping are workshops.js's.
import { html, t } from "../html.js";
import { clock } from "./format.js";
import { workshopName } from "./workshops.js";

export function Bar({ waiting, showFirst }) {
  return html`
    <h1>dealroom · ${t("console")}</h1>
    <button type="button" id="signoffs" class=${waiting ? "signoffs alarm" : "signoffs"} data-count=${waiting}
            disabled=${!waiting} onClick=${showFirst} aria-live="polite">
      <span class="n">${waiting}</span> ${t("signoffs_waiting", { n: waiting })}
    </button>`;
}

export function CreateForm({ scenarios, create, cancel, first, allArchived, showArchived }) {
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = {
      scenario: form.elements.scenario.value, rooms: Number(form.elements.rooms.value),
      title: form.elements.wtitle.value.trim(), capacity: Number(form.elements.capacity.value),
      start: form.elements.start.value,
    };
    create(body).then((ok) => { if (ok) form.reset(); });
  };
  return html`
    <form id="new-workshop" class="panel create" onSubmit=${submit}>
      <h2>${t(first ? (allArchived ? "empty.all_archived" : "empty.heading") : "new_workshop")}</h2>
      ${first && html`<p class="help">${t("empty.text")}</p>`}
      ${allArchived && html`<p><button type="button" id="show-archived-first" onClick=${showArchived}>
        ${t("show_archived_workshops")}</button></p>`}
      <div class="fields">
        <label>${t("scenario")}
          <select id="scenario" name="scenario" required>
            ${scenarios.map((s) => html`<option key=${s.id} value=${s.id}>${s.title}</option>`)}
          </select></label>
        <label>${t("title")} <input id="wtitle" name="wtitle" maxlength="120" placeholder=${t("title_hint")} /></label>
        <label>${t("rooms")} <input id="rooms" name="rooms" type="number" min="0" max="500" defaultValue="4" /></label>
        <label>${t("capacity")} <input id="capacity" name="capacity" type="number" min="0" max="2000" defaultValue="60" /></label>
        <label>${t("start_mode")}
          <select id="start-mode" name="start">
            <option value="on_join">${t("start_mode.on_join")}</option>
            <option value="together">${t("start_mode.together")}</option>
          </select></label>
      </div>
      <p class="help">${t("create_hint")}</p>
      <div class="actions">
        <button class="primary">${t("create")}</button>
        ${cancel && html`<button type="button" onClick=${cancel}>${t("cancel")}</button>`}
      </div>
    </form>`;
}

// Each workshop with its scenario, date, state and rooms; "Workshops" opens the list
// where they are renamed, duplicated and archived.
export function Picker({ workshops, scenarios, chosen, choose, startNew, listOpen, toggleList }) {
  return html`<div class="picker">
    <label for="workshop">${t("workshop")}</label>
    <select id="workshop" value=${chosen} onChange=${(event) => choose(event.currentTarget.value)}>
      ${[...workshops].reverse().map((w) => html`<option key=${w.id} value=${w.id}>${workshopName(w, scenarios)}</option>`)}
    </select>
    <button type="button" id="new-workshop-open" onClick=${startNew}>${t("new_workshop_button")}</button>
    <button type="button" id="workshops-open" aria-expanded=${listOpen ? "true" : "false"}
            aria-controls="workshop-list" onClick=${toggleList}>${t("workshops_button")}</button>
  </div>`;
}

function OpenLink({ workshop, copied, copy }) {
  const url = workshop.open_link.url;
  return html`<p id="open-link" class="open-link">
    <span>${t("open_link")}</span> <a id="open-link-url" href=${url} target="_blank" rel="noopener">${url}</a>
    <button type="button" id="copy-open-link" onClick=${() => copy(url)}>${t(copied ? "copied" : "copy")}</button>
  </p>`;
}

// The workshop's links and whole-workshop actions. The sheets open with
// rel=opener: the new tab starts with a copy of this tab's sessionStorage, and so
// of its sign-in (facilitator.js); their addresses carry no token.
// A together-workshop's round: rooms wait, both seats in, until it starts; then one
// countdown for all of them (the same deadline the phones and the projector show).
function RoundControl({ workshop, startRound }) {
  if (workshop.start !== "together") return null;
  const round = workshop.round;
  const running = round && !round.ended_at && (round.deadline == null || round.deadline > Date.now());
  return html`
    <span class="group round" role="group" aria-label=${t("round")}>
      <button type="button" id="start-round" class="primary" onClick=${startRound}>
        ${t(running ? "round.start_waiting" : "round.start")}</button>
      <span id="round-state" class="round-state">${!round ? t("round.not_started")
        : running ? (round.deadline == null ? t("round.no_limit")
                     : `${t("round.time_left")}: ${clock(Math.max(0, round.deadline - Date.now()))}`)
        : t("round.over")}</span>
    </span>`;
}

// A word to every room of the workshop at once, from the toolbar (no room open).
function AnnounceAll({ say }) {
  const submit = (event) => {
    event.preventDefault();
    const input = event.currentTarget.elements.text;
    const text = input.value.trim();
    if (text) say(null, text, "all").then((ok) => { if (ok) input.value = ""; });
  };
  return html`
    <form id="announce-all" class="announce-all" onSubmit=${submit}>
      <input id="announce-all-text" name="text" maxlength="2000" aria-label=${t("announce_all")}
             placeholder=${t("announce_all")} />
      <button>${t("send")}</button>
    </form>`;
}

// An archived workshop has no live room and lets nobody in: its materials only.
export function Toolbar({ workshop, copied, copy, all, moreSeats, revealNow, exportAs, startRound, say }) {
  const id = encodeURIComponent(workshop.id);
  const step = workshop.revealed || 0;  // how far the projector shows the debrief
  const open = !workshop.archived_at;
  return html`
    ${open && html`<div class="open-line">
      <${OpenLink} workshop=${workshop} copied=${copied} copy=${copy} />
      <p class="seats-line"><span id="seats-taken">${t("seats_taken", { n: workshop.seats_taken, of: workshop.capacity })}</span>
        <button type="button" id="more-seats" onClick=${moreSeats}>${t("more_seats")}</button></p>
    </div>`}
    <div class="actions toolbar">
      ${open && html`<${RoundControl} workshop=${workshop} startRound=${startRound} />
      <span class="group" role="group" aria-label=${t("all_rooms")}>
        <button type="button" id="pause-all" onClick=${() => all("pause")}>${t("pause_all")}</button>
        <button type="button" id="resume-all" onClick=${() => all("resume")}>${t("resume_all")}</button>
        <button type="button" id="extend-all" onClick=${() => all("extend")}>${t("extend_all")}</button>
        <button type="button" id="end-all" class="danger" onClick=${() => all("end")}>${t("end_all")}</button>
      </span>
      <${AnnounceAll} say=${say} />`}
      <span class="group" role="group" aria-label=${t("materials")}>
        <a id="print-seats" class="button-link" target="_blank" rel="opener"
           href=${`/static/seats.html?workshop=${id}`}>${t("print_seats")}</a>
        <a id="debrief-link" class="button-link" target="_blank" rel="opener"
           href=${`/static/debrief.html?workshop=${id}`}>${t("cohort.printable_debrief")}</a>
        <a id="lobby-link" class="button-link" target="_blank" href=${workshop.lobby.url}>${t("lobby_link")}</a>
        <a id="projector-link" class="button-link" target="_blank" href=${workshop.projector.url}>${t("cohort.projector_view")}</a>
        <button type="button" id="export-csv" onClick=${() => exportAs("csv")}>${t("cohort.export_csv")}</button>
        <button type="button" id="export-jsonl" onClick=${() => exportAs("jsonl")}>${t("cohort.export_jsonl")}</button>
        ${step > 0 && html`<span id="revealed" class="revealed">${t("revealed_at", {
            time: new Date(workshop.revealed_at).toLocaleTimeString(window.I18N.lang, { hour: "2-digit", minute: "2-digit" }) })}
            ${" · "}${t("reveal_shown." + step)}</span>`}
        ${step < 3 && html`<button type="button" id="reveal" onClick=${revealNow}>${t("reveal_step." + (step + 1))}</button>`}
      </span>
    </div>`;
}
