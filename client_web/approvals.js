// Sign-off requests in the facilitator console: a move past a role's authority
// limits waits here until the facilitator, acting as the manager, approves or
// declines it (POST /api/rooms/{room}/approvals/{seq}). Text via textContent only.
"use strict";
window.Approvals = (function () {
  const { t } = window.I18N;

  function money(issue, value, currency) {
    return issue.kind === "money" ? `${Number(value).toLocaleString()} ${issue.unit || currency}` : String(value);
  }

  // box: the element to fill; room: GET /api/rooms/{room} (summary + events);
  // decide(seq, approve, note): sends the decision and refreshes.
  function render(box, room, decide) {
    const pending = room.pending_approvals || [];
    box.hidden = pending.length === 0;
    // The console refreshes every second: rebuild only when the requests change,
    // so a button is never swapped out under the facilitator's pointer.
    const key = `${room.id}:${pending.map((p) => p.seq).join(",")}`;
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    const scenario = room.events[0].scenario;
    const items = pending.map((request) => {
      const li = document.createElement("li");
      const what = request.action === "accept" ? t("accept") : t("offered");
      const past = scenario.issues.filter((i) => request.issues.includes(i.id))
        .map((i) => `${i.label}: ${money(i, request.terms[i.id], scenario.currency)}`).join(" · ");
      const head = document.createElement("strong");
      head.textContent = `${t("role." + request.role)} · ${what} · ${t("needs_sign_off")}`;
      const detail = document.createElement("span");
      detail.textContent = ` ${past}`;
      // An optional word from the manager, shown to the participant with the decision.
      const note = document.createElement("input");
      note.className = "sign-off-note"; note.maxLength = 2000;
      note.placeholder = t("sign_off_note"); note.setAttribute("aria-label", t("sign_off_note"));
      li.append(head, detail, document.createTextNode(" "), note);
      for (const [decision, key] of [["approve", "approve"], ["decline", "decline"]]) {
        const button = document.createElement("button");
        button.dataset.decision = decision;
        button.textContent = t(key);
        button.addEventListener("click", () => decide(request.seq, decision === "approve", note.value.trim()));
        li.appendChild(button);
      }
      return li;
    });
    box.replaceChildren(...items);
  }

  return { render };
})();
