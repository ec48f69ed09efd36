// One translation layer for every interface text. English first; Dutch too.
// The language comes from ?lang=, then the browser, then English.
"use strict";
window.I18N = (function () {
  const STRINGS = {
    en: {
      brief: "Your brief", their_offer: "Their standing offer", no_offer: "No offer on the table yet.",
      accept: "Accept", reject: "Reject", your_offer: "Your offer", worth_to_you: "Worth to you:",
      send_offer: "Send offer", send_concession: "Send as concession", message: "Message",
      intent: "Intent", no_intent: "(no intent)", question: "Question", objection: "Objection", interest: "Interest",
      info: "Information", send: "Send", walk_away: "Walk away", timeline: "Timeline",
      online: "online", offline: "offline, reconnecting…", connecting: "connecting…",
      confirm_accept: "Accept this offer? The room ends with an agreement on exactly these terms.",
      confirm_reject: "Reject their offer? It will no longer stand.",
      confirm_walk: "Walk away? The room ends without a deal for both of you.",
      paused: "The facilitator has paused the room.", deadlock: "Deadlock: no concession in the last {n} offers.",
      announcement: "Announcement: {text}", agreed: "Agreement reached", walked_away: "Someone walked away: no deal",
      expired: "Time is up: no deal", closed: "The facilitator ended the room", you: "you", them: "them",
      offered: "offer", not_sent: "Not sent: {reason}", worth: "worth {score} to you", waiting: "Waiting for your counterpart to join…",
      changed: "changed", language: "Language", your_name: "Your name", enter_room: "Enter the room",
      pending: "{n} waiting to be sent",
      your_debrief: "Your debrief", your_result: "Your result: {score} points (your walk-away alternative: {rv}).",
      cohort: "Among {n} results for your role in this workshop, yours ranks {rank}.",
      coach_below_batna: "Your deal is worth {score} to you, below your walk-away alternative ({rv}): no deal would have served you better.",
      coach_beat_batna: "Your deal is worth {score} to you, above your walk-away alternative ({rv}).",
      coach_value_left: "The deal lies {distance} points from the best both sides could reach: trading issues you value differently creates value.",
      coach_growing_concessions: "{count} of your concessions were larger than the one before: concede in shrinking steps, so the other side sees your limit coming.",
      coach_shrinking_concessions: "Your concessions shrank step by step: a clear signal that you were reaching your limit.",
      coach_no_questions: "You asked no questions: questions reveal the other side's interests, and trades come from interests.",
      coach_growing_concessions_one: "One of your concessions was larger than the one before: concede in shrinking steps, so the other side sees your limit coming.",
      coach_questions: "You asked {count} questions: questions reveal interests; keep doing it.",
      coach_questions_one: "You asked one question: questions reveal interests; ask more of them.",
      coach_walked_away: "You walked away: right when no deal on the table beats your alternative.",
      coach_they_walked: "The other side walked away: ask what they need before they reach their limit, and show what you can move on.",
      coach_expired: "Time ran out without a deal: settle the small issues early and leave time to close.",
      coach_closed: "The facilitator ended the room before a deal.",
      coach_no_offers: "You made no offer: the side that opens anchors the talk.",
      your_authority: "Your authority: {limits}. Beyond that your manager (the facilitator) must sign off.",
      limit_at_most: "{issue} up to {value}", limit_at_least: "{issue} at least {value}",
      beyond_authority: "Past your authority on {issues}: this offer will wait for your manager's sign-off.",
      accept_needs_sign_off: "Past your authority on {issues}: accepting needs your manager's sign-off.",
      needs_sign_off: "needs sign-off", waiting_sign_off: "Waiting for your manager's sign-off ({issues})…",
      sign_off_approved: "signed off", sign_off_declined: "sign-off declined",
      sign_off_lapsed: "signed off, but the offer had changed",
      "kind.approval_requested": "asked for sign-off", "kind.approval_decided": "sign-off decided",
      approve: "Approve", decline: "Decline", approvals_waiting: "{n} waiting for sign-off",
      sign_off_note: "Note to the participant (optional)",
      console: "facilitator", facilitator_token: "Facilitator token", sign_in: "Sign in",
      bad_token: "That token is not valid.", new_workshop: "New workshop", scenario: "Scenario",
      rooms: "Rooms", title: "Title", create: "Create", workshop: "Workshop", pause_all: "Pause all",
      resume_all: "Resume all", end_all: "End all", room: "Room", phase: "Phase", offers: "Offers",
      deadlocks: "Deadlocks", connected: "Connected", time_left: "Time left", outcome: "Outcome",
      seats: "Seats", control: "Control", pause: "Pause", resume: "Resume", end: "End",
      extend: "+5 min", last_move: "Last move", extend_all: "All +5 min",
      open_link: "Open link for everyone:", confirm_end: "End this room now?",
      announce_or_mediate: "Announce or mediate", announce_all: "Announce to all rooms",
      announce_room: "Announce to this room", mediate_buyer: "Mediator message to the buyer",
      mediate_seller: "Mediator message to the seller", bot_buyer: "Bot as buyer", bot_seller: "Bot as seller",
      scores: "buyer {b} · seller {s}", print: "Print", print_seats: "Printable seat cards",
      capacity: "Open-link seats", seats_taken: "{n} of {of} seats taken", more_seats: "+20 seats",
      reveal: "Reveal debrief on the projector", revealed_at: "Debrief on the projector since {time}",
      confirm_reveal: "Show every deal, the Pareto frontier and both walk-away lines on the projector? Everyone in the room will see the other side's walk-away point. This cannot be undone.",
      "open.heading": "Join the negotiation", "open.take_seat": "Take a seat", "open.finding": "Finding your seat…",
      "open.full": "This workshop is full. Ask your facilitator to open more seats.",
      "open.rate_limited": "Many people are joining from your network: trying again in {s} s…",
      "open.retrying": "Could not reach the workshop: trying again in {s} s…",
      "role.buyer": "buyer", "role.seller": "seller", "role.facilitator": "facilitator",
      "role.observer": "observer", "role.system": "system",
      "phase.waiting": "waiting", "phase.running": "running", "phase.paused": "paused", "phase.ended": "ended",
      "class.opening": "opening", "class.concession": "concession", "class.trade": "trade",
      "class.hardening": "hardening", "class.repeat": "repeat",
      "outcome.agreed": "agreed", "outcome.walked_away": "walked away", "outcome.expired": "expired",
      "outcome.closed": "closed",
      "kind.created": "created", "kind.joined": "joined", "kind.left": "left", "kind.started": "started",
      "kind.offer": "offer", "kind.accepted": "accepted", "kind.rejected": "rejected",
      "kind.message": "message", "kind.walked_away": "walked away", "kind.deadlock": "deadlock",
      "kind.agreement": "agreement", "kind.paused": "paused", "kind.resumed": "resumed",
      "kind.extended": "extended", "kind.announcement": "announcement", "kind.ended": "ended",
      // The cohort view, the projector, the printable debrief and the replay.
      "cohort.heading": "Cohort", "cohort.projector_view": "Projector view",
      "cohort.printable_debrief": "Printable debrief", "cohort.export_csv": "Export CSV",
      "cohort.export_jsonl": "Export JSON Lines", "cohort.table_title": "Rooms side by side",
      "cohort.counts": "{rooms} rooms · {agreed} agreed · {walked} walked away · {deadlocked} deadlocked · {running} negotiating · {waiting} waiting · {expired} ended without a deal",
      "cohort.scatter_title": "Deals against the best achievable (Pareto frontier)",
      "cohort.histogram_title": "Agreed values of the main money issue",
      "cohort.curves_title": "Concession curves of", "cohort.short.buyer": "B", "cohort.short.seller": "S",
      "cohort.score": "Score", "cohort.joint": "Joint", "cohort.distance": "Distance to frontier",
      "cohort.money": "Money", "cohort.first_offer_by": "First offer by", "cohort.anchor_moved": "Anchor moved",
      "cohort.offers": "Offers", "cohort.concessions": "Concessions", "cohort.growing": "Growing concessions",
      "cohort.questions": "Questions", "cohort.deadlocks_broken": "Deadlocks (broken)",
      "cohort.time_to_agreement": "Time to agreement", "cohort.authority": "Authority requests",
      "cohort.deadlocked": "deadlocked", "cohort.deals": "Deals", "cohort.frontier": "Pareto frontier",
      "cohort.nash": "Nash point", "cohort.buyer_rv": "Buyer's walk-away ({v})",
      "cohort.seller_rv": "Seller's walk-away ({v})", "cohort.buyer_score": "Buyer's score",
      "cohort.seller_score": "Seller's score", "cohort.rooms_count": "Rooms",
      "cohort.seconds": "Seconds since the start",
      "cohort.curve.buyer.own": "Buyer's offers, buyer's score", "cohort.curve.buyer.other": "Buyer's offers, seller's score",
      "cohort.curve.seller.own": "Seller's offers, seller's score", "cohort.curve.seller.other": "Seller's offers, buyer's score",
      "projector.agreed": "agreed", "projector.deadlocked": "deadlocked", "projector.walked_away": "walked away",
      "projector.running": "negotiating", "projector.total": "{rooms} rooms · {waiting} waiting · {ended} ended without a deal",
      "projector.offline": "No connection to the server: retrying…",
      "projector.not_revealed": "The debrief appears here when your facilitator reveals it.",
      "replay.open": "Replay", "replay.heading": "Replay",
      "replay.keys": "Step with ← and →, jump with Home and End, or scrub with the slider.",
      "replay.first": "|◀ Start", "replay.prev": "◀ Previous", "replay.play": "▶ Play", "replay.pause": "‖ Pause",
      "replay.next": "Next ▶", "replay.last": "End ▶|", "replay.scrub": "Replay position",
      "replay.chart": "Both private scores of every offer over time", "replay.now": "This step",
      "replay.position": "Step {n} of {of} · {phase}", "replay.standing": "The {role}'s standing offer",
      "replay.standing_seq": "The {role}'s standing offer (#{seq})",
      "replay.intent.question": "question", "replay.intent.objection": "objection",
      "replay.intent.interest": "interest", "replay.intent.info": "information",

    },
    nl: {
      brief: "Jouw briefing", their_offer: "Hun lopende bod", no_offer: "Er ligt nog geen bod op tafel.",
      accept: "Accepteren", reject: "Afwijzen", your_offer: "Jouw bod", worth_to_you: "Waarde voor jou:",
      send_offer: "Bod versturen", send_concession: "Als concessie versturen", message: "Bericht",
      intent: "Intentie", no_intent: "(geen intentie)", question: "Vraag", objection: "Bezwaar", interest: "Belang",
      info: "Informatie", send: "Versturen", walk_away: "Weglopen", timeline: "Verloop",
      online: "verbonden", offline: "offline, opnieuw verbinden…", connecting: "verbinden…",
      confirm_accept: "Dit bod accepteren? De kamer eindigt met een akkoord op precies deze voorwaarden.",
      confirm_reject: "Hun bod afwijzen? Het ligt dan niet meer op tafel.",
      confirm_walk: "Weglopen? De kamer eindigt zonder akkoord voor jullie allebei.",
      paused: "De trainer heeft de kamer gepauzeerd.", deadlock: "Impasse: geen concessie in de laatste {n} biedingen.",
      announcement: "Mededeling: {text}", agreed: "Akkoord bereikt", walked_away: "Iemand liep weg: geen akkoord",
      expired: "De tijd is om: geen akkoord", closed: "De trainer heeft de kamer beëindigd", you: "jij", them: "zij",
      offered: "bod", not_sent: "Niet verstuurd: {reason}", worth: "waarde {score} voor jou", waiting: "Wachten tot je tegenpartij binnenkomt…",
      changed: "gewijzigd", language: "Taal", your_name: "Je naam", enter_room: "De kamer in",
      pending: "{n} wacht op verzending",
      your_debrief: "Jouw nabespreking", your_result: "Jouw resultaat: {score} punten (je alternatief bij weglopen: {rv}).",
      cohort: "Van {n} resultaten voor jouw rol in deze workshop staat het jouwe op plaats {rank}.",
      coach_below_batna: "Je akkoord is {score} waard voor jou, minder dan je alternatief ({rv}): geen akkoord was beter geweest.",
      coach_beat_batna: "Je akkoord is {score} waard voor jou, meer dan je alternatief ({rv}).",
      coach_value_left: "Het akkoord ligt {distance} punten van het beste dat beide partijen konden bereiken: ruil punten die jullie verschillend waarderen.",
      coach_growing_concessions: "{count} van je concessies waren groter dan de vorige: geef in steeds kleinere stappen toe, zodat de ander je grens ziet naderen.",
      coach_shrinking_concessions: "Je concessies werden steeds kleiner: een duidelijk signaal dat je je grens naderde.",
      coach_no_questions: "Je stelde geen vragen: vragen tonen de belangen van de ander, en ruilen begint bij belangen.",
      coach_growing_concessions_one: "Eén van je concessies was groter dan de vorige: geef in steeds kleinere stappen toe, zodat de ander je grens ziet naderen.",
      coach_questions: "Je stelde {count} vragen: vragen tonen belangen; blijf dat doen.",
      coach_questions_one: "Je stelde één vraag: vragen tonen belangen; stel er meer.",
      coach_walked_away: "Je liep weg: terecht als geen akkoord op tafel je alternatief overtreft.",
      coach_they_walked: "De ander liep weg: vraag wat die nodig heeft voor de grens bereikt is, en laat zien waarop jij kunt bewegen.",
      coach_expired: "De tijd was om zonder akkoord: regel de kleine punten vroeg en houd tijd over om af te sluiten.",
      coach_closed: "De facilitator beëindigde de kamer voor er een akkoord was.",
      coach_no_offers: "Je deed geen bod: wie opent, zet het anker.",
      your_authority: "Jouw mandaat: {limits}. Daarboven moet je manager (de facilitator) akkoord geven.",
      limit_at_most: "{issue} tot {value}", limit_at_least: "{issue} minstens {value}",
      beyond_authority: "Buiten je mandaat op {issues}: dit bod wacht op akkoord van je manager.",
      accept_needs_sign_off: "Buiten je mandaat op {issues}: accepteren vraagt akkoord van je manager.",
      needs_sign_off: "akkoord nodig", waiting_sign_off: "Wacht op akkoord van je manager ({issues})…",
      sign_off_approved: "akkoord gegeven", sign_off_declined: "akkoord geweigerd",
      sign_off_lapsed: "akkoord gegeven, maar het bod was intussen veranderd",
      "kind.approval_requested": "vroeg om akkoord", "kind.approval_decided": "akkoord beslist",
      approve: "Goedkeuren", decline: "Weigeren", approvals_waiting: "{n} wacht op akkoord",
      sign_off_note: "Notitie voor de deelnemer (optioneel)",
      console: "trainer", facilitator_token: "Trainerscode", sign_in: "Aanmelden",
      bad_token: "Die code is niet geldig.", new_workshop: "Nieuwe workshop", scenario: "Scenario",
      rooms: "Kamers", title: "Titel", create: "Aanmaken", workshop: "Workshop", pause_all: "Alles pauzeren",
      resume_all: "Alles hervatten", end_all: "Alles beëindigen", room: "Kamer", phase: "Fase", offers: "Biedingen",
      deadlocks: "Impasses", connected: "Verbonden", time_left: "Tijd over", outcome: "Uitkomst",
      seats: "Plaatsen", control: "Bediening", pause: "Pauze", resume: "Hervatten", end: "Beëindigen",
      extend: "+5 min", last_move: "Laatste zet", extend_all: "Alle +5 min",
      open_link: "Open link voor iedereen:", confirm_end: "Deze kamer nu beëindigen?",
      announce_or_mediate: "Mededelen of bemiddelen", announce_all: "Mededeling aan alle kamers",
      announce_room: "Mededeling aan deze kamer", mediate_buyer: "Bemiddelaar aan de koper",
      mediate_seller: "Bemiddelaar aan de verkoper", bot_buyer: "Bot als koper", bot_seller: "Bot als verkoper",
      scores: "koper {b} · verkoper {s}", print: "Afdrukken", print_seats: "Plaatskaarten afdrukken",
      capacity: "Plaatsen via de open link", seats_taken: "{n} van {of} plaatsen bezet", more_seats: "+20 plaatsen",
      reveal: "Nabespreking op de projector tonen", revealed_at: "Nabespreking op de projector sinds {time}",
      confirm_reveal: "Elke deal, de Pareto-grens en beide walk-away-lijnen op de projector tonen? Iedereen in de zaal ziet dan het walk-away-punt van de andere partij. Dit kan niet ongedaan worden gemaakt.",
      "open.heading": "Doe mee aan de onderhandeling", "open.take_seat": "Neem een plaats", "open.finding": "We zoeken je plaats…",
      "open.full": "Deze workshop is vol. Vraag je begeleider om meer plaatsen te openen.",
      "open.rate_limited": "Er komen veel mensen binnen via jouw netwerk: opnieuw proberen over {s} s…",
      "open.retrying": "De workshop is niet bereikbaar: opnieuw proberen over {s} s…",
      "role.buyer": "koper", "role.seller": "verkoper", "role.facilitator": "trainer",
      "role.observer": "toeschouwer", "role.system": "systeem",
      "phase.waiting": "wacht", "phase.running": "loopt", "phase.paused": "gepauzeerd", "phase.ended": "beëindigd",
      "class.opening": "openingsbod", "class.concession": "concessie", "class.trade": "ruil",
      "class.hardening": "verharding", "class.repeat": "herhaling",
      "outcome.agreed": "akkoord", "outcome.walked_away": "weggelopen", "outcome.expired": "verlopen",
      "outcome.closed": "gesloten",
      "kind.created": "aangemaakt", "kind.joined": "binnengekomen", "kind.left": "vertrokken",
      "kind.started": "gestart", "kind.offer": "bod", "kind.accepted": "geaccepteerd",
      "kind.rejected": "afgewezen", "kind.message": "bericht", "kind.walked_away": "weggelopen",
      "kind.deadlock": "impasse", "kind.agreement": "akkoord", "kind.paused": "gepauzeerd",
      "kind.resumed": "hervat", "kind.extended": "verlengd", "kind.announcement": "mededeling",
      "kind.ended": "beëindigd",
      // De cohortweergave, de projector, de afdrukbare nabespreking en de herhaling.
      "cohort.heading": "Cohort", "cohort.projector_view": "Projectorweergave",
      "cohort.printable_debrief": "Nabespreking afdrukken", "cohort.export_csv": "CSV exporteren",
      "cohort.export_jsonl": "JSON Lines exporteren", "cohort.table_title": "Kamers naast elkaar",
      "cohort.counts": "{rooms} kamers · {agreed} akkoord · {walked} weggelopen · {deadlocked} in impasse · {running} onderhandelen · {waiting} wachten · {expired} zonder akkoord beëindigd",
      "cohort.scatter_title": "Akkoorden tegenover het best haalbare (Pareto-grens)",
      "cohort.histogram_title": "Overeengekomen waarden van het belangrijkste geldpunt",
      "cohort.curves_title": "Concessiecurves van", "cohort.short.buyer": "K", "cohort.short.seller": "V",
      "cohort.score": "Score", "cohort.joint": "Samen", "cohort.distance": "Afstand tot de grens",
      "cohort.money": "Geld", "cohort.first_offer_by": "Eerste bod door", "cohort.anchor_moved": "Anker verschoven",
      "cohort.offers": "Biedingen", "cohort.concessions": "Concessies", "cohort.growing": "Groeiende concessies",
      "cohort.questions": "Vragen", "cohort.deadlocks_broken": "Impasses (doorbroken)",
      "cohort.time_to_agreement": "Tijd tot akkoord", "cohort.authority": "Mandaatverzoeken",
      "cohort.deadlocked": "impasse", "cohort.deals": "Akkoorden", "cohort.frontier": "Pareto-grens",
      "cohort.nash": "Nash-punt", "cohort.buyer_rv": "Alternatief van de koper ({v})",
      "cohort.seller_rv": "Alternatief van de verkoper ({v})", "cohort.buyer_score": "Score van de koper",
      "cohort.seller_score": "Score van de verkoper", "cohort.rooms_count": "Kamers",
      "cohort.seconds": "Seconden sinds de start",
      "cohort.curve.buyer.own": "Biedingen koper, score koper", "cohort.curve.buyer.other": "Biedingen koper, score verkoper",
      "cohort.curve.seller.own": "Biedingen verkoper, score verkoper", "cohort.curve.seller.other": "Biedingen verkoper, score koper",
      "projector.agreed": "akkoord", "projector.deadlocked": "in impasse", "projector.walked_away": "weggelopen",
      "projector.running": "onderhandelen", "projector.total": "{rooms} kamers · {waiting} wachten · {ended} zonder akkoord beëindigd",
      "projector.offline": "Geen verbinding met de server: opnieuw proberen…",
      "projector.not_revealed": "De nabespreking verschijnt hier zodra je begeleider haar vrijgeeft.",
      "replay.open": "Herhaling", "replay.heading": "Herhaling",
      "replay.keys": "Stap met ← en →, spring met Home en End, of schuif met de schuifbalk.",
      "replay.first": "|◀ Begin", "replay.prev": "◀ Vorige", "replay.play": "▶ Afspelen", "replay.pause": "‖ Pauze",
      "replay.next": "Volgende ▶", "replay.last": "Einde ▶|", "replay.scrub": "Positie in de herhaling",
      "replay.chart": "Beide privéscores van elk bod in de tijd", "replay.now": "Deze stap",
      "replay.position": "Stap {n} van {of} · {phase}", "replay.standing": "Lopend bod van de {role}",
      "replay.standing_seq": "Lopend bod van de {role} (#{seq})",
      "replay.intent.question": "vraag", "replay.intent.objection": "bezwaar",
      "replay.intent.interest": "belang", "replay.intent.info": "informatie",

    },
  };
  const asked = new URLSearchParams(location.search).get("lang");
  const browser = (navigator.language || "en").slice(0, 2);
  const lang = STRINGS[asked] ? asked : STRINGS[browser] ? browser : "en";
  // The language asked for, even where the interface has no strings in it yet: a
  // scenario may have its words in it (see scenario_text.js).
  const wanted = asked || browser;
  document.documentElement.lang = lang;
  function lookup(key) { return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key]; }
  // Numbers in the language's own way (52,5 in Dutch), at most one decimal; a
  // count of 1 picks the key's singular form ("key_one") where there is one.
  function t(key, values) {
    const one = values && (values.count === 1 || values.n === 1) && lookup(key + "_one");
    let text = one || lookup(key) || key;
    for (const [k, v] of Object.entries(values || {})) {
      const shown = typeof v === "number" ? v.toLocaleString(lang, { maximumFractionDigits: 1 }) : String(v);
      text = text.replace("{" + k + "}", shown);
    }
    return text;
  }
  // Texts and accessible names alike: an aria-label a screen reader speaks in
  // English on a Dutch page is as wrong as English text would be.
  function apply(root) {
    (root || document).querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    (root || document).querySelectorAll("[data-t-label]").forEach((el) => {
      el.setAttribute("aria-label", t(el.dataset.tLabel));
    });
    addSwitch();
  }
  // A language switch in the header bar: reloads the page in the chosen language.
  function addSwitch() {
    const bar = document.querySelector(".bar");
    if (!bar || document.getElementById("lang")) return;
    const select = document.createElement("select");
    select.id = "lang";
    select.setAttribute("aria-label", t("language"));
    for (const [code, name] of [["en", "English"], ["nl", "Nederlands"]]) {
      const option = new Option(name, code);
      option.selected = code === lang;
      select.appendChild(option);
    }
    select.addEventListener("change", () => {
      const url = new URL(location.href);
      url.searchParams.set("lang", select.value);
      location.assign(url.toString());
    });
    bar.appendChild(select);
  }
  return { t, apply, lang, wanted };
})();
