// The printable debrief of a workshop: its title, the cohort's counts, scatter, money
// histogram and table of rooms, laid out for A4. The facilitator token comes from the
// console that opened this tab (facilitator.js), as on the seat cards.
"use strict";
(async function () {
  const { t, apply, lang } = window.I18N;
  const $ = (id) => document.getElementById(id);
  apply();
  window.Cohort.configure(13);
  // Sharp on paper: draw the canvases at twice the screen's resolution.
  Chart.defaults.devicePixelRatio = Math.max(2, window.devicePixelRatio || 1);
  const workshop = new URLSearchParams(location.search).get("workshop") || "";
  const path = `/api/workshops/${encodeURIComponent(workshop)}`;

  $("print").addEventListener("click", () => window.print());
  for (const format of ["csv", "jsonl"]) {
    $(`export-${format}`).addEventListener("click", () => {
      window.Cohort.download(`${path}/export.${format}`, window.Facilitator.token(), `${workshop}.${format}`)
        .catch((error) => { $("error").textContent = error.message; });
    });
  }
  // The table is laid out as printed on screen too: when even its narrowest layout (its
  // min-content width, whatever the window's) is wider than a portrait page's 186 mm
  // between the margins (sheet.css), it prints on a landscape page of its own.
  const PORTRAIT = (186 / 25.4) * 96; // CSS pixels
  function fit() {
    const table = $("table");
    table.style.width = "min-content";
    const least = table.getBoundingClientRect().width;
    table.style.width = "";
    $("rooms").classList.toggle("wide", least > PORTRAIT);
  }
  // The print layout may differ from the screen's by a few pixels: redraw to fit it.
  for (const moment of ["beforeprint", "afterprint"]) {
    window.addEventListener(moment, () => Object.values(Chart.instances).forEach((c) => c.resize()));
  }
  window.addEventListener("beforeprint", fit);

  let data;
  try {
    data = await window.Facilitator.load(`${path}/cohort`, $("signin"));
  } catch (error) {
    $("error").textContent = error.message;
    return;
  }
  document.title = `dealroom · ${data.workshop.title}`;
  $("title").textContent = data.workshop.title;
  const created = data.workshop.created_at ? new Date(data.workshop.created_at).toLocaleDateString(lang) : "";
  $("subtitle").textContent = [data.scenario.title, created].filter(Boolean).join(" · ");
  const c = data.counts;
  $("counts").textContent = t("cohort.counts", {
    rooms: c.rooms, agreed: c.agreed, walked: c.walked_away, deadlocked: c.deadlocked,
    running: c.running + c.paused, waiting: c.waiting, expired: c.expired + c.closed });
  window.Cohort.sortableTable($("table")).update(data);
  fit();
  window.Cohort.draw($("scatter"), window.Cohort.scatterConfig(data));
  window.Cohort.draw($("histogram"), window.Cohort.histogramConfig(data));
  document.body.dataset.ready = "true"; // drawn: ready to print
})();
