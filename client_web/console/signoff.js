// A sign-off request as a manager decides on it: who asks, which limit the move
// passes (issue, limit, asked value), the whole package asked for beside the
// counterpart's standing offer, and what each is worth to the asking role against
// its walk-away value. Approve or decline, with an optional note the participant
// reads (POST /api/rooms/{room}/approvals/{request}).
import { cap, html, t } from "../html.js";
import { counterpart } from "./state.js";
import { number, shown, scenarioText, time, worth } from "./format.js";

function Worth({ scenario, role, terms }) {
  if (!terms) return html`<td class="none">–</td>`;
  const { score, rv } = worth(scenario, role, terms);
  const diff = Math.round((score - rv) * 10) / 10;
  return html`<td class=${diff >= 0 ? "above" : "below"}>
    <strong>${number(score)}</strong>
    <span class="vs-rv">${t(diff >= 0 ? "signoff.above" : "signoff.below", { diff: number(Math.abs(diff)) })}</span>
  </td>`;
}

export function SignOff({ room, request, scenario, decide }) {
  const text = scenarioText(scenario);
  if (!text) return null;
  const role = request.role, other = counterpart(role);
  const side = scenario.roles[role];
  const limits = side.authority || {};
  const seat = room.presence[role];
  const standing = room.standing[other];
  const accepting = request.action === "accept";
  const theirs = accepting ? null : standing ? standing.terms : null;
  const past = text.issues.filter((i) => request.issues.includes(i.id));
  const submit = (approve) => (event) => {
    const note = event.currentTarget.closest("li").querySelector(".sign-off-note").value.trim();
    decide(room, request.seq, approve, note);
  };
  return html`
    <li class="signoff" data-seq=${request.seq} data-role=${role}>
      <h3>${cap(t(accepting ? "signoff.accept" : "signoff.offer", {
        role: t("role." + role), name: seat && seat.name ? ` (${seat.name})` : "", other: t("role." + other) }))}
        ${request.at && html` <span class="since">${t("signoff.since", { time: time(request.at) })}</span>`}</h3>
      <ul class="limits">
        ${past.map((issue) => html`<li key=${issue.id}>${t("signoff.limit", {
          issue: issue.label, limit: shown(issue, limits[issue.id], text), asked: shown(issue, request.terms[issue.id], text) })}</li>`)}
      </ul>
      <table class="package">
        <thead><tr>
          <th scope="col">${t("signoff.issue")}</th>
          <th scope="col">${t(accepting ? "signoff.to_accept" : "signoff.asked", { other: t("role." + other) })}</th>
          ${!accepting && html`<th scope="col">${t("signoff.their_standing", { other: t("role." + other) })}</th>`}
        </tr></thead>
        <tbody>
          ${text.issues.map((issue) => html`
            <tr key=${issue.id} class=${request.issues.includes(issue.id) ? "past-limit" : null}>
              <th scope="row">${issue.label}</th>
              <td>${shown(issue, request.terms[issue.id], text)}</td>
              ${!accepting && html`<td>${theirs ? shown(issue, theirs[issue.id], text) : "–"}</td>`}
            </tr>`)}
          <tr class="worth-row">
            <th scope="row">${t("signoff.worth_to", { role: t("role." + role), rv: number(side.reservation_value) })}</th>
            <${Worth} scenario=${text} role=${role} terms=${request.terms} />
            ${!accepting && html`<${Worth} scenario=${text} role=${role} terms=${theirs} />`}
          </tr>
        </tbody>
      </table>
      ${!accepting && !theirs && html`<p class="none">${t("signoff.no_standing", { other: t("role." + other) })}</p>`}
      <div class="decide">
        <input class="sign-off-note" maxlength="2000" placeholder=${t("sign_off_note")} aria-label=${t("sign_off_note")} />
        <button type="button" class="primary" data-decision="approve" onClick=${submit(true)}>${t("approve")}</button>
        <button type="button" data-decision="decline" onClick=${submit(false)}>${t("decline")}</button>
      </div>
    </li>`;
}

export function SignOffs({ room, scenario, decide }) {
  const requests = Object.values(room.pending).sort((a, b) => a.seq - b.seq);
  if (!requests.length) return null;
  return html`<ul id="approvals" class="approvals" aria-live="polite">
    ${requests.map((request) => html`<${SignOff} key=${request.seq} room=${room} request=${request}
                                                 scenario=${scenario} decide=${decide} />`)}
  </ul>`;
}
