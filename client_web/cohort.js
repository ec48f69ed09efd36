// A workshop's cohort drawn with Chart.js: the sortable table of rooms, the scatter of
// deals against the Pareto frontier and both reservation values, the histogram of the
// main money issue and one room's concession curves. Shared by the facilitator console,
// the projector and the printable debrief, so all three draw the same figures.
// Every text from the server goes through textContent; charts draw on a canvas.
"use strict";
window.Cohort = (function () {
  const { t, lang } = window.I18N;

  // Okabe–Ito colours (distinguishable with every common colour-vision deficiency),
  // and each series also differs in point style or dash, so no series relies on colour.
  const COLOURS = {
    buyer: "#0072B2", seller: "#D55E00", deal: "#CC79A7", nash: "#009E73",
    frontier: "#000000", bar: "#0072B2", ink: "#111111", grid: "#c4c9d0",
  };

  // Big, dark text on every chart of the page: read on a projector from the back.
  function configure(fontSize) {
    Chart.defaults.font.size = fontSize;
    Chart.defaults.color = COLOURS.ink;
    Chart.defaults.borderColor = COLOURS.grid;
    Chart.defaults.animation = false; // printing and update('none') want drawn charts at once
  }

  function number(value, digits) {
    if (value == null) return "";
    return Number(value).toLocaleString(lang, { maximumFractionDigits: digits == null ? 1 : digits });
  }
  function duration(ms) {
    if (ms == null) return "";
    if (ms < 60000) return `${number(ms / 1000, ms < 10000 ? 2 : 1)} s`; // bots play in milliseconds
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  const one = (v) => number(v, 1); // a table cell's text: its value with one decimal
  const total = (counts) => Object.values(counts || {}).reduce((a, b) => a + b, 0);
  const side = (object, role, key) => ((object && object[role]) || {})[key] || 0;

  // -- the table ---------------------------------------------------------------------
  // A column: its key, header text, an optional group (an i18n key: one header over its
  // neighbours of the same group), the value it sorts by and the text it shows.
  function columns(data) {
    const money = data.money;
    const perSide = (group, value) => ["buyer", "seller"].map((role) => ({
      key: `${group}.${role}`, group, head: t(`cohort.short.${role}`), title: t(`role.${role}`),
      value: (r) => value(r, role),
    }));
    const list = [
      { key: "room", head: t("room"), value: (r) => r.label || r.room },
      { key: "outcome", head: t("outcome"), value: outcomeText },
      { key: "buyer_score", group: "cohort.score", head: t("cohort.short.buyer"), title: t("role.buyer"),
        value: (r) => r.buyer_score, text: one },
      { key: "seller_score", group: "cohort.score", head: t("cohort.short.seller"), title: t("role.seller"),
        value: (r) => r.seller_score, text: one },
      { key: "joint", group: "cohort.score", head: t("cohort.joint"), value: (r) => r.joint, text: one },
      { key: "distance", head: t("cohort.distance"), value: (r) => r.distance_to_frontier, text: one },
      { key: "money", head: money ? `${money.label} (${money.unit})` : t("cohort.money"),
        value: (r) => r.money_value, text: (v) => number(v, 2) },
      { key: "first_offer_by", head: t("cohort.first_offer_by"),
        value: (r) => (r.first_offer_by ? t("role." + r.first_offer_by) : null) },
      { key: "anchor_moved", head: t("cohort.anchor_moved"),
        value: (r) => (r.anchor ? r.anchor.moved : null), text: (v) => (v == null ? "" : `${number(v * 100, 0)}%`) },
      ...perSide("cohort.offers", (r, role) => total(r.offers && r.offers[role])),
      ...perSide("cohort.concessions", (r, role) => side(r.offers, role, "concession")),
      ...perSide("cohort.growing", (r, role) => (r.growing_concessions || {})[role] || 0),
      ...perSide("cohort.questions", (r, role) => side(r.intents, role, "question")),
      { key: "deadlocks", head: t("cohort.deadlocks_broken"), value: (r) => r.deadlocks,
        text: (v, r) => `${v} (${r.deadlocks_broken})` },
      { key: "time", head: t("cohort.time_to_agreement"), value: (r) => r.time_to_agreement_ms, text: duration },
    ];
    // Authority limits are a scenario rule few workshops use: a column only when asked for.
    const asked = data.rooms.some((r) => side(r.authority, "buyer", "requests") + side(r.authority, "seller", "requests") > 0);
    if (asked) list.push(...perSide("cohort.authority", (r, role) => side(r.authority, role, "requests")));
    return list;
  }
  function outcomeText(room) {
    let text = room.outcome ? t("outcome." + room.outcome) : t("phase." + room.phase);
    if (room.deadlocked) text += ` · ${t("cohort.deadlocked")}`;
    return text;
  }
  function compare(a, b) {
    if (typeof a === "string" || typeof b === "string") {
      return String(a).localeCompare(String(b), lang, { numeric: true });
    }
    return a - b;
  }

  // A table of rooms whose column headers sort it (click again: the other direction).
  // update(data) redraws the rows; the header is rebuilt only when the columns change,
  // so a focused header button keeps its focus across refreshes.
  function sortableTable(table) {
    let sort = { key: null, dir: "ascending" };
    let data = null;
    let shape = "";
    let cols = [];
    function th(col, rowSpan, colSpan) {
      const cell = document.createElement("th");
      cell.scope = "col";
      if (rowSpan > 1) cell.rowSpan = rowSpan;
      if (colSpan > 1) cell.colSpan = colSpan;
      if (!col.value) { cell.textContent = col.head; return cell; }
      cell.dataset.key = col.key;
      const button = document.createElement("button");
      button.type = "button"; button.className = "sort"; button.textContent = col.head;
      if (col.title) button.title = col.title;
      button.addEventListener("click", () => {
        sort = { key: col.key, dir: sort.key === col.key && sort.dir === "ascending" ? "descending" : "ascending" };
        render();
      });
      cell.appendChild(button);
      return cell;
    }
    function header() {
      const top = document.createElement("tr");
      const bottom = document.createElement("tr");
      for (let i = 0; i < cols.length; i++) {
        const col = cols[i];
        if (!col.group) { top.appendChild(th(col, 2, 1)); continue; }
        if (i === 0 || cols[i - 1].group !== col.group) {
          const span = cols.slice(i).findIndex((c) => c.group !== col.group);
          const group = th({ head: t(col.group) }, 1, span < 0 ? cols.length - i : span);
          group.scope = "colgroup";
          top.appendChild(group);
        }
        bottom.appendChild(th(col, 1, 1));
      }
      table.tHead.replaceChildren(top, bottom);
    }
    function render() {
      for (const cell of table.tHead.querySelectorAll("th[data-key]")) {
        if (cell.dataset.key === sort.key) cell.setAttribute("aria-sort", sort.dir);
        else cell.removeAttribute("aria-sort");
      }
      let rooms = data.rooms.slice();
      const col = cols.find((c) => c.key === sort.key);
      if (col) {
        const sign = sort.dir === "ascending" ? 1 : -1;
        rooms = rooms.map((room) => ({ room, v: col.value(room) }));
        rooms.sort((a, b) => {  // rooms without a value (no deal yet) stay at the bottom
          if (a.v == null || b.v == null) return (a.v == null) - (b.v == null);
          return sign * compare(a.v, b.v);
        });
        rooms = rooms.map((x) => x.room);
      }
      table.tBodies[0].replaceChildren(...rooms.map((room) => {
        const tr = document.createElement("tr");
        tr.dataset.room = room.room;
        for (const c of cols) {
          const td = document.createElement("td");
          const v = c.value(room);
          td.textContent = c.text ? c.text(v, room) : v == null ? "" : String(v);
          // Text cells by class (not "room": room.css lays out .room as a page grid).
          if (c.key === "room") td.className = "room-label";
          if (c.key === "outcome") td.className = room.deadlocked ? "outcome deadlock" : "outcome";
          if (c.group) td.className = "pair"; // under a group's header, with its neighbour
          tr.appendChild(td);
        }
        return tr;
      }));
    }
    function update(next) {
      data = next;
      cols = columns(next);
      const nextShape = cols.map((c) => c.key + c.head).join("|");
      if (nextShape !== shape) { header(); shape = nextShape; }
      render();
    }
    return { update };
  }

  // -- the charts --------------------------------------------------------------------
  // One chart per canvas, updated in place: new data, same chart, no animation.
  function draw(canvas, config) {
    const chart = Chart.getChart(canvas);
    if (!chart) return new Chart(canvas, config);
    chart.data = config.data;
    for (const [axis, scale] of Object.entries(config.options.scales || {})) {
      // Titles too: another workshop may run another scenario (another money issue).
      Object.assign(chart.options.scales[axis], { min: scale.min, max: scale.max, title: scale.title });
    }
    chart.update("none");
    return chart;
  }
  function axis(title, min, max) {
    return { type: "linear", min, max, title: { display: true, text: title, font: { weight: "bold" } } };
  }
  function line(key, label, points, colour, dash, width) {
    return {
      key, label, data: points, showLine: true, pointRadius: 0, pointHitRadius: 0, pointStyle: "line",
      borderColor: colour, backgroundColor: colour, borderWidth: width || 3, borderDash: dash || [],
    };
  }

  // Each deal's room label beside its point, when the deals ask for it (`labelled`): to
  // the right, else to the left, above or below, wherever it overlaps no label already
  // written and stays inside the plot; dark on a white halo, so a line under it does not
  // hide it. What it wrote is kept on the chart (chart.$dealLabels: text and box).
  const dealLabels = {
    id: "dealLabels",
    afterDatasetsDraw(chart) {
      const placed = [];
      chart.$dealLabels = placed;
      const { ctx, chartArea: area } = chart;
      const size = Chart.defaults.font.size;
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (!dataset.labelled || meta.hidden) return;
        ctx.save();
        ctx.font = `700 ${size}px ${Chart.defaults.font.family}`;
        ctx.textBaseline = "middle";
        Object.assign(ctx, { lineJoin: "round", lineWidth: Math.max(3, size / 4), strokeStyle: "#fff",
                             fillStyle: COLOURS.ink });
        meta.data.forEach((point, j) => {
          const text = (dataset.data[j] || {}).label;
          if (!text) return;
          const w = ctx.measureText(text).width, h = size;
          const gap = (dataset.pointRadius || 9) + 4;
          const spots = [[point.x + gap, point.y - h / 2], [point.x - gap - w, point.y - h / 2],
                         [point.x - w / 2, point.y - gap - h], [point.x - w / 2, point.y + gap]];
          const inside = ([x, y]) => x >= area.left && x + w <= area.right && y >= area.top && y + h <= area.bottom;
          const free = ([x, y]) => placed.every((b) => x + w <= b.x || b.x + b.w <= x || y + h <= b.y || b.y + b.h <= y);
          const [x, y] = spots.find((s) => inside(s) && free(s)) || spots.find(inside) || spots[0];
          ctx.strokeText(text, x, y + h / 2);
          ctx.fillText(text, x, y + h / 2);
          placed.push({ text, x, y, w, h });
        });
        ctx.restore();
      });
    },
  };

  // Every deal at (buyer score, seller score), the frontier as a line, the Nash point,
  // and each side's reservation value as a line it must stay on the right side of.
  // `labels`: each deal labelled with its room's label (dealLabels).
  function scatterData(data, labels) {
    const maxB = data.max_score.buyer, maxS = data.max_score.seller;
    const rv = data.reservation;
    const deals = data.rooms
      .filter((r) => r.buyer_score != null && r.seller_score != null)
      .map((r) => ({ x: r.buyer_score, y: r.seller_score, label: r.label || r.room || "" }));
    return {
      datasets: [
        { key: "deals", label: t("cohort.deals"), data: deals, labelled: Boolean(labels),
          pointStyle: "circle", pointRadius: 9, pointHoverRadius: 11, backgroundColor: COLOURS.deal + "cc",
          borderColor: COLOURS.ink, borderWidth: 2 },
        line("frontier", t("cohort.frontier"), data.frontier.map((p) => ({ x: p.buyer, y: p.seller })),
             COLOURS.frontier, [], 3),
        { key: "nash", label: t("cohort.nash"), data: data.nash ? [{ x: data.nash.buyer, y: data.nash.seller }] : [],
          pointStyle: "star", pointRadius: 16, pointHoverRadius: 18, borderWidth: 4,
          borderColor: COLOURS.nash, backgroundColor: COLOURS.nash },
        // Before the projector's reveal reaches them (steps), the walk-away lines and
        // the frontier come without data: empty, and left out of the legend.
        line("buyer_rv", rv ? t("cohort.buyer_rv", { v: number(rv.buyer) }) : "",
             rv ? [{ x: rv.buyer, y: 0 }, { x: rv.buyer, y: maxS }] : [], COLOURS.buyer, [12, 6], 3),
        line("seller_rv", rv ? t("cohort.seller_rv", { v: number(rv.seller) }) : "",
             rv ? [{ x: 0, y: rv.seller }, { x: maxB, y: rv.seller }] : [], COLOURS.seller, [3, 5], 4),
      ],
    };
  }
  // The legend draws the lines as the chart does, dashes included (Chart.js takes a
  // point's style for the legend, and points have no dash): no line relies on colour.
  function dashedLegend(chart) {
    return Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
      const dataset = chart.data.datasets[item.datasetIndex];
      if (dataset.showLine) {
        Object.assign(item, { lineDash: dataset.borderDash, lineWidth: dataset.borderWidth,
                              strokeStyle: dataset.borderColor });
      }
      return item;
    });
  }
  // `options.labels`: write each deal's room label beside it.
  function scatterConfig(data, options) {
    return {
      type: "scatter",
      data: scatterData(data, (options || {}).labels),
      plugins: [dealLabels],
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { x: axis(t("cohort.buyer_score"), 0, data.max_score.buyer),
                  y: axis(t("cohort.seller_score"), 0, data.max_score.seller) },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, generateLabels: dashedLegend,
                                                   filter: (item, data) => data.datasets[item.datasetIndex].data.length > 0 } },
          tooltip: { callbacks: { label: (ctx) => {
            const p = ctx.raw;
            const where = t("scores", { b: number(p.x), s: number(p.y) });
            return p.label ? `${p.label}: ${where}` : `${ctx.dataset.label}: ${where}`;
          } } },
        },
      },
    };
  }

  // The agreed values of the main money issue, one bar per step of its range (or ten
  // equal bins when the range has too many steps for bars to read).
  function bins(money) {
    const steps = Math.floor((money.max - money.min) / (money.step || 1)) + 1;
    if (steps <= 20) {
      return Array.from({ length: steps }, (_, i) => {
        const v = money.min + i * (money.step || 1);
        return { lo: v, hi: v, label: number(v, 2) };
      });
    }
    const width = (money.max - money.min) / 10;
    return Array.from({ length: 10 }, (_, i) => {
      const lo = money.min + i * width, hi = i === 9 ? money.max : lo + width;
      return { lo, hi, label: `${number(lo, 0)}–${number(hi, 0)}` };
    });
  }
  function histogramData(data) {
    const money = data.money;
    if (!money) return { labels: [], datasets: [] };
    const edges = bins(money);
    const counts = edges.map(() => 0);
    for (const room of data.rooms) {
      if (room.outcome !== "agreed" || room.money_value == null) continue;
      const v = room.money_value;
      let i = edges.findIndex((b) => (b.lo === b.hi ? v <= b.hi : v < b.hi));
      if (i < 0) i = edges.length - 1;
      counts[i] += 1;
    }
    return {
      labels: edges.map((b) => b.label),
      datasets: [{ key: "money", label: t("cohort.deals"), data: counts, backgroundColor: COLOURS.bar,
                   borderColor: COLOURS.ink, borderWidth: 1 }],
    };
  }
  function histogramConfig(data) {
    const money = data.money;
    const title = money ? `${money.label} (${money.unit})` : t("cohort.money");
    return {
      type: "bar",
      data: histogramData(data),
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: title, font: { weight: "bold" } } },
          y: { ...axis(t("cohort.rooms_count"), 0, undefined), ticks: { precision: 0 } },
        },
        plugins: { legend: { display: false } },
      },
    };
  }

  // One room's offers over time, each side's in its own score (solid) and in the
  // counterpart's score (dashed): shrinking concessions show as a flattening curve.
  function curveDatasets(curves) {
    const series = [
      ["buyer", "own", COLOURS.buyer, [], "circle"],
      ["buyer", "other", COLOURS.buyer, [10, 6], "triangle"],
      ["seller", "own", COLOURS.seller, [], "rect"],
      ["seller", "other", COLOURS.seller, [10, 6], "rectRot"],
    ];
    return series.map(([role, which, colour, dash, style]) => ({
      key: `${role}.${which}`, label: t(`cohort.curve.${role}.${which}`),
      data: (curves[role] || []).map((p) => ({ x: p.t / 1000, y: p[which], seq: p.seq })),
      showLine: true, borderColor: colour, backgroundColor: colour, borderDash: dash, borderWidth: 3,
      pointStyle: style, pointRadius: 5, pointHoverRadius: 8,
    }));
  }
  function curveConfig(curves, maxScore, extra) {
    const top = Math.max(maxScore.buyer, maxScore.seller);
    return {
      type: "scatter",
      data: { datasets: [...curveDatasets(curves), ...(extra || [])] },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { x: { ...axis(t("cohort.seconds"), undefined, undefined), beginAtZero: true },
                  y: axis(t("cohort.score"), 0, top) },
        plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
      },
    };
  }
  const hasOffers = (room) => ((room.curves || {}).buyer || []).length + ((room.curves || {}).seller || []).length > 0;

  // The exports need the Bearer header, so a plain link cannot fetch them: download
  // through fetch, a Blob and a short-lived object URL instead.
  async function download(path, token, filename) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error((await response.json()).error.message);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url; a.download = filename; a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  return {
    COLOURS, configure, number, duration, sortableTable, draw, scatterConfig, histogramConfig,
    curveConfig, hasOffers, download, outcomeText,
  };
})();
