// What the workshop's projector shows at the facilitator's word, under the toolbar:
// the room in the spotlight (put up from its drawer), with Stop showing, and the room
// labels on the projector's scatter. Both are the server's (the workshop's head says
// them), so a second console and the projector itself agree. The reveal's steps stay
// in the toolbar.
import { html, t } from "../html.js";

export function ProjectorLine({ workshop, rooms, stop, setLabels }) {
  const spot = workshop.spotlight;
  const room = spot && rooms.get(spot.room);
  const name = room ? room.label || room.id : spot && spot.room;
  return html`<p id="projector-line" class="projector-line">
    <span class="what">${t("projector_line")}</span>
    <span id="spotlight-state">${spot ? t("spotlight.showing", { room: name }) : t("spotlight.none")}</span>
    ${spot && html`<button type="button" id="spotlight-stop" onClick=${stop}>${t("spotlight.stop")}</button>`}
    <label class="toggle" for="projector-labels">
      <input type="checkbox" id="projector-labels" checked=${Boolean(workshop.labels_shown)}
             onChange=${(event) => setLabels(event.currentTarget.checked)} />
      ${" "}${t("labels.projector")}</label>
  </p>`;
}
