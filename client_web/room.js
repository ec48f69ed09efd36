// The participant room. It speaks protocol v1 (JSON) over /ws, keeps the last
// seq it holds, and on any drop reconnects with resume_after = that seq, then
// sends again every move still waiting for its ack (same id: never applied
// twice). Every text from the server goes through textContent, never innerHTML.
"use strict";
(function () {
  const { t, apply, wanted } = window.I18N;
  const $ = (id) => document.getElementById(id);
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const state = { lastSeq: 0, role: null, scenario: null, brief: null, standing: null,
                  previousTheirs: null, deadline: null, ended: false, pending: new Map(), ws: null,
                  seen: new Set() };
  let moveCounter = 0;
  let name = new URLSearchParams(location.search).get("name") || localStorage.getItem("dealroom.name") || "";
  if (name) localStorage.setItem("dealroom.name", name);
  apply();

  function score(terms) {
    return state.brief ? window.Scoring.score(state.scenario.issues, state.brief, terms) : 0;
  }
  function label(issue, value) {
    return issue.kind === "money" ? `${Number(value).toLocaleString()} ${issue.unit || state.scenario.currency}`
         : issue.unit ? `${value} ${issue.unit}`
         : issue.shown && issue.shown[value] !== undefined ? issue.shown[value] : String(value);
  }

  // -- the composer ----------------------------------------------------------------
  function buildComposer() {
    const form = $("compose");
    form.replaceChildren();
    for (const issue of state.scenario.issues) {
      const id = "issue-" + issue.id;
      const lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = issue.label + (issue.unit ? ` (${issue.unit})` : "");
      let input;
      if (issue.kind === "options") {
        input = document.createElement("select");
        for (const option of issue.options) {
          const o = document.createElement("option");
          o.value = option; o.textContent = issue.shown ? issue.shown[option] : option;
          input.appendChild(o);
        }
      } else {
        input = document.createElement("input");
        Object.assign(input, { type: "number", min: issue.min, max: issue.max, step: issue.step,
                               value: issue.min, inputMode: "numeric" });
      }
      input.id = id; input.dataset.issue = issue.id;
      input.addEventListener("input", showMyScore);
      form.append(lab, input);
    }
    showMyScore();
  }
  function composed() {
    const terms = {};
    for (const issue of state.scenario.issues) {
      const raw = $("issue-" + issue.id).value;
      terms[issue.id] = issue.kind === "options" ? raw : Number(raw);
    }
    return terms;
  }
  function showMyScore() {
    const terms = composed();
    $("my-score").textContent = String(score(terms));
    const past = beyondMe(terms);
    $("beyond").hidden = past.length === 0;
    $("beyond").textContent = past.length ? t("beyond_authority", { issues: past.map((i) => i.label).join(", ") }) : "";
  }
  // Authority limits: what this role may sign without its manager (the facilitator).
  function beyondMe(terms) {
    return state.brief ? window.Scoring.beyond(state.scenario.issues, state.brief, terms) : [];
  }
  function showAuthority() {
    const limits = (state.brief && state.brief.authority) || {};
    const items = state.scenario.issues.filter((i) => i.id in limits).map((i) =>
      t(state.brief.prefers[i.id] === "down" ? "limit_at_most" : "limit_at_least",
        { issue: i.label, value: label(i, limits[i.id]) }));
    $("authority").hidden = items.length === 0;
    $("authority").textContent = items.length ? t("your_authority", { limits: items.join("; ") }) : "";
  }
  function signOff(text) { $("sign-off").hidden = !text; $("sign-off").textContent = text || ""; }

  // -- the connection --------------------------------------------------------------
  function setLink(s) { $("link").dataset.state = s; $("link").textContent = t(s); }
  let retries = 0; // reconnects since the last frame received
  function connect() {
    setLink("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws`, ["dealroom.v1.json"]);
    state.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token, resume_after: state.lastSeq, name,
                                               lang: wanted }));
    ws.onmessage = (message) => { retries = 0; receive(JSON.parse(message.data)); };
    ws.onclose = () => {
      state.ws = null;
      if (state.ended) return;
      setLink("offline");
      setTimeout(connect, reconnectDelay(retries++));
    };
  }
  // When a node dies every one of its clients reconnects at once: a random share
  // of a growing delay (0.5-1 s, then up to 8 s) spreads them out instead of
  // sending them all back in the same instant ("full jitter" backoff).
  function reconnectDelay(attempt) {
    const ceiling = Math.min(8000, 1000 * 2 ** attempt);
    return 500 + Math.random() * (ceiling - 500);
  }
  // A move stays pending until its ack (or error) arrives; while offline it waits
  // here, shown in the header, and goes out (same id) when the connection returns.
  function send(frame) {
    state.pending.set(frame.id, frame);
    showPending();
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
  }
  function showPending() {
    const n = state.pending.size;
    $("pending").hidden = n === 0;
    $("pending").textContent = n ? t("pending", { n }) : "";
  }
  function move(kind, fields) {
    moveCounter += 1;
    send({ type: "move", id: `${token.slice(-6)}-${Date.now().toString(36)}-${moveCounter}`, kind, ...fields });
  }

  function receive(frame) {
    if (frame.type === "welcome") {
      setLink("online");
      state.role = frame.role;
      ({ scenario: state.scenario, brief: state.brief } =
        window.ScenarioText.localize(frame.scenario, frame.brief, wanted));
      $("title").textContent = state.scenario.title;
      $("role").textContent = t("role." + frame.role);
      $("brief").textContent = state.brief ? state.brief.text : "";
      showAuthority();
      if (!$("compose").children.length) buildComposer();
      state.deadline = frame.state.deadline;
      state.clockSkew = frame.server_time - Date.now();
      if (frame.state.phase === "waiting") banner(t("waiting"));
      for (const pending of state.pending.values()) state.ws.send(JSON.stringify(pending));
    } else if (frame.type === "ack") {
      state.pending.delete(frame.id);
      showPending();
    } else if (frame.type === "error") {
      if (frame.id) state.pending.delete(frame.id);
      showPending();
      note(t("not_sent", { reason: frame.message }));
    } else if (frame.type === "event") {
      if (frame.seq <= state.lastSeq || state.seen.has(frame.seq)) return;
      state.seen.add(frame.seq);
      state.lastSeq = frame.seq;
      onEvent(frame);
    }
  }

  function onEvent(e) {
    const mine = e.by === state.role;
    switch (e.kind) {
      case "started": state.deadline = e.deadline; banner(null); break;
      case "offer":
        entry(e, `${mine ? t("you") : t("them")}: ${t("offered")}`, t("class." + e.class), describe(e.terms));
        if (!mine) { state.previousTheirs = state.standing ? state.standing.terms : null;
                     state.standing = { seq: e.seq, terms: e.terms }; showTheirs(); }
        break;
      case "rejected": entry(e, `${mine ? t("you") : t("them")}: ${t("reject")}`, null, e.reason || "");
        if (mine) { state.standing = null; showTheirs(); }
        break;
      case "message": entry(e, `${e.by === "facilitator" ? t("role.facilitator") : mine ? t("you") : t("them")}`,
                            e.intent ? t(e.intent) : null, e.text); break;
      case "deadlock": entry(e, t("deadlock", { n: e.offers }), null, ""); banner(t("deadlock", { n: e.offers })); break;
      case "paused": banner(t("paused")); state.deadline = null; break;
      case "resumed": banner(null); state.deadline = e.deadline; break;
      case "extended": if (e.deadline) state.deadline = e.deadline; break;
      case "announcement": banner(t("announcement", { text: e.text })); entry(e, t("role.facilitator"), null, e.text); break;
      case "agreement": state.agreement = e.terms; break;
      case "walked_away": entry(e, `${mine ? t("you") : t("them")}: ${t("walk_away")}`, null, e.reason || ""); break;
      case "approval_requested": {
        const issues = state.scenario.issues.filter((i) => e.issues.includes(i.id)).map((i) => i.label).join(", ");
        entry(e, `${t("you")}: ${t(e.action === "accept" ? "accept" : "offered")}`, t("needs_sign_off"), describe(e.terms));
        signOff(t("waiting_sign_off", { issues }));
        break;
      }
      case "approval_decided":
        entry(e, t("role.facilitator"),
              t(!e.approved ? "sign_off_declined" : e.applied ? "sign_off_approved" : "sign_off_lapsed"),
              [e.note, e.reason].filter(Boolean).join(" "));
        signOff(null);
        break;
      case "ended": finish(e.outcome); signOff(null); break;
      default: break;
    }
  }
  function describe(terms) {
    return state.scenario.issues.map((i) => `${i.label}: ${label(i, terms[i.id])}`).join(" · ");
  }
  function entry(e, who, cls, text) {
    const li = document.createElement("li");
    if (e.by === state.role) li.classList.add("mine");
    li.dataset.seq = e.seq;
    const head = document.createElement("strong");
    head.textContent = who;
    li.appendChild(head);
    if (cls) { const c = document.createElement("span"); c.className = "cls"; c.textContent = cls; li.appendChild(c); }
    if (text) li.appendChild(document.createTextNode(" " + text));
    $("log").appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }
  function note(text) { entry({ seq: 0, by: "" }, "!", null, text); }
  function banner(text) { $("banner").hidden = !text; $("banner").textContent = text || ""; }
  function showTheirs() {
    const box = $("theirs");
    box.replaceChildren();
    const on = Boolean(state.standing) && !state.ended;
    $("accept").disabled = !on; $("reject").disabled = !on;
    if (!state.standing) { const p = document.createElement("p"); p.textContent = t("no_offer"); box.appendChild(p); return; }
    const dl = document.createElement("dl"); dl.className = "terms";
    for (const issue of state.scenario.issues) {
      const dt = document.createElement("dt"); dt.textContent = issue.label;
      const dd = document.createElement("dd"); dd.textContent = label(issue, state.standing.terms[issue.id]);
      if (state.previousTheirs && state.previousTheirs[issue.id] !== state.standing.terms[issue.id]) {
        dd.classList.add("changed"); dd.title = t("changed");
      }
      dl.append(dt, dd);
    }
    const worth = document.createElement("p");
    worth.textContent = t("worth", { score: score(state.standing.terms) });
    box.append(dl, worth);
    const past = beyondMe(state.standing.terms);
    if (past.length) {
      const warn = document.createElement("p");
      warn.className = "beyond";
      warn.textContent = t("accept_needs_sign_off", { issues: past.map((i) => i.label).join(", ") });
      box.appendChild(warn);
    }
  }
  function finish(outcome) {
    state.ended = true;
    showTheirs();
    for (const id of ["offer", "concede", "walk"]) $(id).disabled = true;
    const final = $("final");
    final.hidden = false;
    final.replaceChildren();
    const h = document.createElement("h2"); h.textContent = t(outcome); final.appendChild(h);
    if (outcome === "agreed" && state.agreement) {
      const dl = document.createElement("dl"); dl.className = "terms";
      for (const issue of state.scenario.issues) {
        const dt = document.createElement("dt"); dt.textContent = issue.label;
        const dd = document.createElement("dd"); dd.textContent = label(issue, state.agreement[issue.id]);
        dl.append(dt, dd);
      }
      const worth = document.createElement("p");
      worth.textContent = t("worth", { score: score(state.agreement) });
      final.append(dl, worth);
    }
    final.scrollIntoView();
    showDebrief(final);
  }
  async function showDebrief(final) {
    let answer = null;
    for (let attempt = 0; attempt < 5 && !answer; attempt += 1) {
      const response = await fetch(`/debrief/${encodeURIComponent(token)}`);
      if (response.ok) answer = await response.json();
      else await new Promise((r) => setTimeout(r, 500));
    }
    if (!answer) return;
    const box = document.createElement("section");
    box.id = "debrief";
    const h = document.createElement("h3"); h.textContent = t("your_debrief"); box.appendChild(h);
    const lines = [];
    // The result line, unless the first coaching sentence already says it.
    const batna = answer.coaching.some((s) => s.key === "coach_beat_batna" || s.key === "coach_below_batna");
    if (answer.score !== null && !batna) lines.push(t("your_result", { score: answer.score, rv: answer.reservation_value }));
    if (answer.score !== null && answer.cohort.length > 1) {
      const rank = answer.cohort.filter((s) => s > answer.score).length + 1;
      lines.push(t("cohort", { n: answer.cohort.length, rank }));
    }
    for (const signal of answer.coaching) lines.push(t(signal.key, signal.values));
    const list = document.createElement("ul");
    for (const line of lines) { const li = document.createElement("li"); li.textContent = line; list.appendChild(li); }
    box.appendChild(list);
    final.appendChild(box);
  }
  function tick() {
    if (state.deadline && !state.ended) {
      const left = Math.max(0, state.deadline - (Date.now() + (state.clockSkew || 0)));
      const m = Math.floor(left / 60000), s = Math.floor((left % 60000) / 1000);
      $("clock").textContent = `${m}:${String(s).padStart(2, "0")}`;
    } else { $("clock").textContent = ""; }
  }

  // -- controls --------------------------------------------------------------------
  $("offer").addEventListener("click", () => move("offer", { terms: composed() }));
  $("concede").addEventListener("click", () => move("concede", { terms: composed() }));
  $("accept").addEventListener("click", () => {
    if (state.standing && confirm(t("confirm_accept"))) move("accept", { offer: state.standing.seq });
  });
  $("reject").addEventListener("click", () => {
    if (state.standing && confirm(t("confirm_reject"))) move("reject", { offer: state.standing.seq });
  });
  $("walk").addEventListener("click", () => { if (confirm(t("confirm_walk"))) move("walk_away", {}); });
  $("talk").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    const intent = $("intent").value;
    move("message", intent ? { text, intent } : { text });
    $("text").value = "";
  });
  setInterval(tick, 1000);
  if (name) {
    connect();
  } else {  // first visit: a display name first, then the room
    $("namebox").hidden = false;
    $("display-name").focus();
    $("namebox").addEventListener("submit", (event) => {
      event.preventDefault();
      name = $("display-name").value.trim();
      if (!name) return;
      localStorage.setItem("dealroom.name", name);
      $("namebox").hidden = true;
      connect();
    });
  }
})();
