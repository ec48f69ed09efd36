// The facilitator console: sign in with the facilitator token, create a workshop,
// watch every room's progress (refreshed every second), and pause, resume or end
// rooms. Every text from the server goes through textContent.
"use strict";
(function () {
  const { t, apply } = window.I18N;
  const $ = (id) => document.getElementById(id);
  apply();
  window.Cohort.configure(16); // the cohort is shown on a projector too: big type
  // The token: from /#token=… (taken out of the address at once), or this tab's sign-in.
  const { api } = window.Facilitator;
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  let token = fromHash || window.Facilitator.token();
  if (fromHash) history.replaceState(null, "", location.pathname);

  async function signIn() {
    window.Facilitator.remember(token); // what api() sends
    try {
      const scenarios = await api("GET", "/api/scenarios");
      $("signin").hidden = true; $("workspace").hidden = false;
      const select = $("scenario");
      select.replaceChildren(...scenarios.map((s) => new Option(s.title, s.id)));
      await loadWorkshops();
      setInterval(refresh, 1000);
    } catch (error) {
      window.Facilitator.forget();
      $("signin-error").textContent = t("bad_token");
    }
  }
  async function loadWorkshops(select) {
    const workshops = await api("GET", "/api/workshops");
    const box = $("workshop");
    box.replaceChildren(...workshops.map((w) => new Option(`${w.title} (${w.room_count})`, w.id)));
    if (select) box.value = select;
    await refresh();
  }
  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }
  function left(state) {
    const ms = state.deadline ? state.deadline - Date.now() : state.remaining_ms;
    if (ms == null) return "";
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  async function control(room, action) {
    const body = action === "extend" ? { seconds: 300 } : undefined;
    try { await api("POST", `/api/rooms/${room}/${action}`, body); } catch (error) { /* shown by the grid */ }
    await refresh();
  }
  async function refresh() {
    const id = $("workshop").value;
    if (!id) return;
    const workshop = await api("GET", `/api/workshops/${id}`);
    $("open-link").textContent = `${t("open_link")} ${workshop.open_link.url}`;
    $("seats-taken").textContent = t("seats_taken", { n: workshop.seats_taken, of: workshop.capacity });
    showReveal(workshop);
    // The printable sheets open in a new tab that keeps this one as its opener, and so
    // a copy of its sign-in (facilitator.js); their addresses carry no token.
    $("print-seats").href = `/static/seats.html?workshop=${encodeURIComponent(id)}`;
    $("debrief-link").href = `/static/debrief.html?workshop=${encodeURIComponent(id)}`;
    $("projector-link").href = workshop.projector.url;
    const rows = workshop.rooms.map((room) => {
      const tr = document.createElement("tr");
      tr.dataset.room = room.id;
      const st = room.state;
      const name = cell("");
      const open = document.createElement("button");
      open.className = "link-button"; open.textContent = room.label || room.id;
      open.addEventListener("click", () => { detailRoom = room.id; refreshDetail(); });
      name.appendChild(open);
      if (room.pending_approvals.length) {  // a move waits for the facilitator's sign-off
        const badge = document.createElement("span");
        badge.className = "approval-badge";
        badge.textContent = t("approvals_waiting", { n: room.pending_approvals.length });
        name.append(document.createElement("br"), badge);
      }
      tr.append(name, cell(t("phase." + st.phase), "phase-" + st.phase), cell(String(st.offers)),
                cell(String(st.deadlocks), st.deadlocks ? "deadlock" : ""),
                cell(room.last_event ? `${t("role." + room.last_event.by)} ${t("kind." + room.last_event.kind)}` : ""),
                cell(room.present.map((r) => t("role." + r)).join(", ")),
                cell(left(st)), cell(st.outcome ? t("outcome." + st.outcome) : ""));
      const seats = document.createElement("td");
      for (const role of ["buyer", "seller"]) {
        const a = document.createElement("a");
        a.href = room.seats[role].url; a.textContent = t("role." + role); a.target = "_blank";
        const qr = document.createElement("a");
        qr.href = `/qr/${encodeURIComponent(room.seats[role].token)}.svg`; qr.textContent = "QR";
        qr.target = "_blank"; qr.className = "qr";
        qr.setAttribute("aria-label", `${role} QR code`);
        seats.append(a, document.createTextNode(" "), qr, document.createTextNode(" "));
      }
      tr.appendChild(seats);
      const buttons = document.createElement("td");
      for (const action of ["pause", "resume", "extend", "end"]) {
        const b = document.createElement("button");
        b.textContent = t(action); b.dataset.action = action;
        b.disabled = st.phase === "ended";
        b.addEventListener("click", () => {
          if (action !== "end" || confirm(t("confirm_end"))) control(room.id, action);
        });
        buttons.appendChild(b);
      }
      tr.appendChild(buttons);
      return tr;
    });
    $("grid").tBodies[0].replaceChildren(...rows);
    refreshCohort(false);
    await refreshDetail();
  }

  // -- the cohort: every room side by side, charts updated in place ------------------
  // Fetched only while its panel is open, on screen and the tab visible, at most every
  // 2 s: the console's 1 s tick asks, this decides.
  const cohortTable = window.Cohort.sortableTable($("cohort-table"));
  let cohortAt = 0, cohortBusy = false, cohortOf = null, cohortInView = false;
  let curveChoice = null; // the room the facilitator picked for the concession curves
  new IntersectionObserver((entries) => {
    cohortInView = entries.some((e) => e.isIntersecting);
    if (cohortInView) refreshCohort(false);
  }).observe($("cohort-panel"));
  $("cohort-panel").addEventListener("toggle", () => refreshCohort(true));
  document.addEventListener("visibilitychange", () => refreshCohort(false));
  async function refreshCohort(force) {
    const id = $("workshop").value;
    const shown = $("cohort-panel").open && cohortInView && document.visibilityState === "visible";
    if (!id || !shown || cohortBusy) return;
    if (!force && id === cohortOf && Date.now() - cohortAt < 2000) return;
    cohortBusy = true; cohortAt = Date.now();
    try {
      const data = await api("GET", `/api/workshops/${encodeURIComponent(id)}/cohort`);
      if (cohortOf !== id) curveChoice = null;
      cohortOf = id;
      drawCohort(data);
    } catch (error) {
      $("cohort-counts").textContent = error.message;
    } finally {
      cohortBusy = false;
    }
  }
  function drawCohort(data) {
    const c = data.counts;
    $("cohort-counts").textContent = t("cohort.counts", {
      rooms: c.rooms, agreed: c.agreed, walked: c.walked_away, deadlocked: c.deadlocked,
      running: c.running + c.paused, waiting: c.waiting, expired: c.expired + c.closed });
    cohortTable.update(data);
    window.Cohort.draw($("cohort-scatter"), window.Cohort.scatterConfig(data));
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
  $("curve-room").addEventListener("change", (event) => {
    curveChoice = event.target.value;
    refreshCohort(true);
  });
  async function exportAs(format) {
    const id = $("workshop").value;
    if (!id) return;
    const path = `/api/workshops/${encodeURIComponent(id)}/export.${format}`;
    await window.Cohort.download(path, window.Facilitator.token(), `${id}.${format}`).catch((e) => alert(e.message));
  }
  $("export-csv").addEventListener("click", () => exportAs("csv"));
  $("export-jsonl").addEventListener("click", () => exportAs("jsonl"));

  // -- one room: its full transcript with both private scores ----------------------
  let detailRoom = null;
  async function refreshDetail() {
    if (!detailRoom) return;
    const room = await api("GET", `/api/rooms/${detailRoom}`);
    $("detail").hidden = false;
    // An ended room opens on its replay; a live one on request (a snapshot so far).
    const ended = room.state.phase === "ended";
    if (window.Replay.room !== detailRoom) window.Replay.close();
    if (ended && replayed !== `${detailRoom}:ended`) openReplay(detailRoom, true);
    $("detail-h").textContent = `${room.label || room.id} · ${t("phase." + room.state.phase)}`;
    window.Approvals.render($("approvals"), room, async (seq, approve, note) => {
      await api("POST", `/api/rooms/${room.id}/approvals/${seq}`, { approve, note }).catch((e) => alert(e.message));
      await refresh();
    });
    const scenario = room.events[0].scenario;
    const items = room.events.slice(1).map((e) => {
      const li = document.createElement("li");
      let text = `#${e.seq} ${t("role." + e.by)} ${t("kind." + e.kind)}`;
      if (e.class) text += ` (${t("class." + e.class)})`;
      if (e.terms) {
        const b = window.Scoring.score(scenario.issues, scenario.roles.buyer, e.terms);
        const s = window.Scoring.score(scenario.issues, scenario.roles.seller, e.terms);
        text += ` · ${t("scores", { b, s })}`;
      }
      if (e.text) text += `${e.to ? " → " + t("role." + e.to) : ""}: ${e.text}`;
      if (e.outcome) text += `: ${t("outcome." + e.outcome)}`;
      if (e.kind === "approval_requested") text += ` · ${t(e.action === "accept" ? "accept" : "offered")} (${e.issues.join(", ")})`;
      if (e.kind === "approval_decided") {
        text += ` #${e.request} → ${t("role." + e.role)}: ` +
          t(!e.approved ? "sign_off_declined" : e.applied ? "sign_off_approved" : "sign_off_lapsed");
        if (e.reason) text += ` (${e.reason})`;
      }
      li.textContent = text;
      return li;
    });
    $("transcript").replaceChildren(...items);
  }
  let replayed = null; // which room's replay is loaded, and whether it had ended then
  async function openReplay(room, ended) {
    replayed = `${room}:${ended ? "ended" : "live"}`;
    try {
      const answer = await api("GET", `/api/rooms/${encodeURIComponent(room)}/replay`);
      if (room === detailRoom) window.Replay.load(answer);
    } catch (error) {
      replayed = null;
    }
  }
  $("replay-open").addEventListener("click", async () => {
    if (!detailRoom) return;
    const room = await api("GET", `/api/rooms/${detailRoom}`);
    await openReplay(detailRoom, room.state.phase === "ended");
    $("replay").focus();
  });
  $("say").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("say-text").value.trim();
    const to = $("say-to").value;
    if (!text) return;
    if (to === "all") {
      const workshop = await api("GET", `/api/workshops/${$("workshop").value}`);
      await Promise.all(workshop.rooms.map((r) => api("POST", `/api/rooms/${r.id}/announce`, { text }).catch(() => null)));
    } else if (detailRoom && to === "room") {
      await api("POST", `/api/rooms/${detailRoom}/announce`, { text }).catch(() => null);
    } else if (detailRoom) {
      await api("POST", `/api/rooms/${detailRoom}/message`, { text, to }).catch(() => null);
    }
    $("say-text").value = "";
    await refresh();
  });
  for (const role of ["buyer", "seller"]) {
    $(`bot-${role}`).addEventListener("click", async () => {
      if (detailRoom) await api("POST", `/api/rooms/${detailRoom}/bots`, { role }).catch((e) => alert(e.message));
      await refresh();
    });
  }
  // The projector shows counts only until the facilitator reveals the debrief: scores,
  // the frontier and both walk-away lines. The reveal is recorded and cannot be undone.
  let shownWorkshop = null;
  function showReveal(workshop) {
    shownWorkshop = workshop;
    const at = workshop.revealed_at;
    $("reveal").hidden = at != null;
    $("revealed").hidden = at == null;
    if (at != null) {
      const time = new Date(at).toLocaleTimeString(window.I18N.lang, { hour: "2-digit", minute: "2-digit" });
      $("revealed").textContent = t("revealed_at", { time });
    }
  }
  $("reveal").addEventListener("click", async () => {
    const id = $("workshop").value;
    if (!id || !confirm(t("confirm_reveal"))) return;
    await api("POST", `/api/workshops/${encodeURIComponent(id)}/reveal`).catch((e) => alert(e.message));
    await refresh();
  });
  $("more-seats").addEventListener("click", async () => {
    const id = $("workshop").value;
    if (!id || !shownWorkshop) return;
    const capacity = shownWorkshop.capacity + 20;
    await api("POST", `/api/workshops/${encodeURIComponent(id)}/capacity`, { capacity }).catch((e) => alert(e.message));
    await refresh();
  });
  async function all(action) {
    const workshop = await api("GET", `/api/workshops/${$("workshop").value}`);
    const body = action === "extend" ? { seconds: 300 } : undefined;
    await Promise.all(workshop.rooms.map((r) => api("POST", `/api/rooms/${r.id}/${action}`, body).catch(() => null)));
    await refresh();
  }

  $("signin").addEventListener("submit", (event) => { event.preventDefault(); token = $("token").value; signIn(); });
  $("new-workshop").addEventListener("submit", async (event) => {
    event.preventDefault();
    const created = await api("POST", "/api/workshops", {
      scenario: $("scenario").value, rooms: Number($("rooms").value), title: $("wtitle").value,
      capacity: Number($("capacity").value) });
    await loadWorkshops(created.id);
  });
  $("workshop").addEventListener("change", refresh);
  $("pause-all").addEventListener("click", () => all("pause"));
  $("resume-all").addEventListener("click", () => all("resume"));
  $("extend-all").addEventListener("click", () => all("extend"));
  $("end-all").addEventListener("click", () => { if (confirm(t("confirm_end"))) all("end"); });
  if (token) signIn();
})();
