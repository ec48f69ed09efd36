// The facilitator's workshops, one row each: its name, scenario, creation date, state
// (waiting, running, ended, archived) and rooms; open one, rename it, duplicate it,
// archive it or bring it back. Archived workshops are listed only with "Show
// archived". What each action does on the server is housekeeping_api.py's; asking
// before ending live rooms is main.js's.
import { html, t } from "../html.js";
import { day } from "./format.js";

export const scenarioTitle = (scenarios, id) => {
  const scenario = scenarios.find((s) => s.id === id);
  return scenario ? scenario.title : id;
};

export const stateName = (w) => t("workshop_state." + (w.state || (w.archived_at ? "archived" : "waiting")));

// The picker's words for a workshop: a workshop named after its scenario (the
// default title) says it once.
export function workshopName(w, scenarios) {
  const scenario = scenarioTitle(scenarios, w.scenario);
  const name = w.title === scenario ? w.title : `${w.title} · ${scenario}`;
  return t("workshop_option", { name, date: day(w.created_at), state: stateName(w), n: w.room_count ?? w.rooms.length });
}

function RenameForm({ workshop, rename, cancel }) {
  const submit = (event) => {
    event.preventDefault();
    const title = event.currentTarget.elements.title.value.trim();
    if (title) rename(workshop, title);
  };
  // Focused once, with the old name selected: typing replaces it.
  const focus = (input) => { if (input && !input.dataset.focused) { input.dataset.focused = "1"; input.focus(); input.select(); } };
  return html`<form class="rename" onSubmit=${submit}
                    onKeyDown=${(event) => { if (event.key === "Escape") { event.stopPropagation(); cancel(); } }}>
    <input name="title" required maxlength="120" defaultValue=${workshop.title} ref=${focus}
           aria-label=${t("rename_to", { name: workshop.title })} />
    <button class="primary">${t("save")}</button>
    <button type="button" onClick=${cancel}>${t("cancel")}</button>
  </form>`;
}

function Row({ workshop: w, scenarios, chosen, renaming, actions }) {
  const archived = w.state === "archived";
  return html`<tr data-workshop=${w.id} data-state=${w.state} class=${w.id === chosen ? "chosen" : null}>
    <td class="name">${renaming
      ? html`<${RenameForm} workshop=${w} rename=${actions.rename} cancel=${actions.cancelRename} />`
      : html`<button type="button" class="link-button open" aria-current=${w.id === chosen ? "true" : null}
                     onClick=${() => actions.choose(w.id)}>${w.title}</button>`}</td>
    <td class="scenario">${scenarioTitle(scenarios, w.scenario)}</td>
    <td class="created">${day(w.created_at)}</td>
    <td class="state"><span class=${"wstate wstate-" + w.state}>${stateName(w)}</span></td>
    <td class="count">${w.room_count}</td>
    <td class="housekeeping">
      <button type="button" data-action="rename" disabled=${renaming} onClick=${() => actions.startRename(w.id)}>${t("rename")}</button>
      <button type="button" data-action="duplicate" onClick=${() => actions.duplicate(w)}>${t("duplicate")}</button>
      ${archived
        ? html`<button type="button" data-action="unarchive" onClick=${() => actions.unarchive(w)}>${t("unarchive")}</button>`
        : html`<button type="button" data-action="archive" onClick=${() => actions.archive(w)}>${t("archive")}</button>`}
    </td>
  </tr>`;
}

export function WorkshopList({ workshops, scenarios, chosen, renaming, showArchived, actions }) {
  return html`<section id="workshop-list" class="workshop-list" aria-labelledby="workshop-list-h">
    <div class="list-head">
      <h2 id="workshop-list-h">${t("workshops.heading")}</h2>
      <label class="toggle"><input id="show-archived" type="checkbox" checked=${showArchived}
             onChange=${(event) => actions.showArchived(event.currentTarget.checked)} /> ${t("show_archived")}</label>
      <button type="button" class="close" aria-label=${t("close")} onClick=${actions.close}>×</button>
    </div>
    <div class="table-scroll">
      <table class="grid workshops-table">
        <thead><tr>
          <th scope="col">${t("title")}</th><th scope="col">${t("scenario")}</th><th scope="col">${t("created")}</th>
          <th scope="col">${t("state")}</th><th scope="col">${t("rooms")}</th><th scope="col"><span class="sr-only">${t("workshop_actions")}</span></th>
        </tr></thead>
        <tbody>${[...workshops].reverse().map((w) => html`
          <${Row} key=${w.id} workshop=${w} scenarios=${scenarios} chosen=${chosen}
                  renaming=${renaming === w.id} actions=${actions} />`)}</tbody>
      </table>
    </div>
  </section>`;
}

// The chosen workshop is archived: said above its links, with the way back.
export function ArchivedNote({ workshop, unarchive }) {
  return html`<p id="archived-note" class="archived-note">
    ${t("archived_note", { date: day(workshop.archived_at) })}
    <button type="button" id="unarchive" onClick=${() => unarchive(workshop)}>${t("unarchive")}</button>
  </p>`;
}
