// The board's projection: each party's projected seats with the 80% band and
// declared seats beside them (results.projection), and a chart of how the
// projection moved through the night (results.projection_history), drawn as
// inline SVG.

import { $, LIGHT, cell, colour, el, getJSON, svg } from "./common.js";

export const MAJORITY = 326, HOUSE = 650;

// The projection shown: live, results.projection; replaying, the history's row set of the count declared by then.
export function shownProjection(projection, history, declared = null) {
  if (declared === null) return projection;
  const counts = [...history.keys()].filter((c) => c <= declared);
  if (!counts.length) return [];
  const rows = history.get(Math.max(...counts));
  return rows.filter((r) => r.declared_seats > 0 || r.projected_seats > 0)
    .sort((a, b) => b.projected_seats - a.projected_seats || a.party.localeCompare(b.party));
}
export function renderProjection(rows) {
  const body = $("projection").tBodies[0]; body.replaceChildren();
  const note = $("projection-note");
  if (!rows.length) { note.textContent = "No projection until the first result is declared."; delete note.dataset.declaredCount; return; }
  const first = rows[0];
  note.dataset.declaredCount = first.declared_count;
  note.textContent = `After ${first.declared_count} of ${HOUSE} declared · ${first.method} · 80% band · ${MAJORITY} for a majority`
    + (first.projected_seats >= MAJORITY ? ` · ${first.party} projected a majority of ${2 * first.projected_seats - HOUSE}` : ` · no party projected to reach ${MAJORITY}`);
  const top = Math.max(400, ...rows.map((r) => r.high));
  const x = (n) => (1000 * n) / top;
  for (const r of rows) {
    const row = el("tr"); row.dataset.party = r.party;
    const name = cell(row, null); const sw = el("span", null, { class: "swatch", "aria-hidden": "true" });
    sw.style.background = colour(r.party); name.append(sw, r.party);
    cell(row, r.declared_seats, "num declared"); cell(row, r.projected_seats, "num projected");
    cell(row, `${r.low}–${r.high}`, "num band");
    const pic = svg("svg", { viewBox: "0 0 1000 20", preserveAspectRatio: "none", "aria-hidden": "true" });
    pic.append(
      svg("rect", { x: 0, y: 2, width: 1000, height: 16, fill: "#f2f2f2" }),
      svg("rect", { x: x(r.low), y: 2, width: Math.max(x(r.high) - x(r.low), 2), height: 16, fill: colour(r.party), "fill-opacity": 0.35 }),
      svg("rect", { x: 0, y: 6, width: x(r.declared_seats), height: 8, fill: colour(r.party) }),
      svg("rect", { x: x(r.projected_seats) - 3, y: 0, width: 6, height: 20, fill: "#000" }),
      svg("line", { x1: x(MAJORITY), x2: x(MAJORITY), y1: 0, y2: 20, class: "majority", "vector-effect": "non-scaling-stroke" }));
    pic.append(svg("title", {}, `${r.party}: ${r.declared_seats} declared, projected ${r.projected_seats} (80% band ${r.low}–${r.high})`));
    const bar = cell(row, null, "bar"); bar.append(pic);
    body.append(row);
  }
}

// The history chart: projected seats per party against results declared; bands for the two biggest.
const CHART = { w: 600, h: 250, l: 34, r: 62, t: 10, b: 30 };
export function renderHistory(history, replaying) {
  const chart = $("history-chart"); const desc = chart.querySelector("desc");
  chart.replaceChildren(desc);
  const counts = [...history.keys()].sort((a, b) => a - b);
  chart.dataset.counts = counts.length;
  if (!counts.length) { $("history-readout").textContent = ""; return; }
  const latest = history.get(counts[counts.length - 1]);
  const byParty = new Map();
  for (const c of counts) for (const r of history.get(c)) {
    if (!byParty.has(r.party)) byParty.set(r.party, []);
    byParty.get(r.party).push(r);
  }
  const peak = (p) => Math.max(...byParty.get(p).map((r) => r.projected_seats));
  const order = [...byParty.keys()].sort((a, b) => {
    const la = latest.find((r) => r.party === a), lb = latest.find((r) => r.party === b);
    return ((lb ? lb.projected_seats : 0) - (la ? la.projected_seats : 0)) || peak(b) - peak(a) || a.localeCompare(b);
  });
  const shown = order.filter((p) => peak(p) >= 10).slice(0, 6);
  const banded = shown.slice(0, 2);
  const ymax = Math.max(350, Math.ceil(Math.max(...banded.flatMap((p) => byParty.get(p).map((r) => r.high))) / 50) * 50);
  const { w, h, l, r: rm, t, b } = CHART;
  const X = (n) => l + ((w - l - rm) * n) / HOUSE, Y = (n) => h - b - ((h - t - b) * n) / ymax;
  for (let y = 0; y <= ymax; y += 100) {
    chart.append(svg("line", { x1: l, x2: w - rm, y1: Y(y), y2: Y(y), class: "grid" }),
      svg("text", { x: l - 4, y: Y(y) + 4, "text-anchor": "end" }, y));
  }
  for (let n = 0; n <= HOUSE; n += 100) {
    chart.append(svg("text", { x: X(n), y: h - b + 14, "text-anchor": "middle" }, n));
  }
  chart.append(svg("text", { x: (l + w - rm) / 2, y: h - 3, "text-anchor": "middle" }, "results declared"),
    svg("line", { x1: l, x2: w - rm, y1: Y(0), y2: Y(0), class: "axis" }),
    svg("line", { x1: l, x2: w - rm, y1: Y(MAJORITY), y2: Y(MAJORITY), class: "majority" }),
    svg("text", { x: w - rm - 4, y: Y(MAJORITY) + 13, "text-anchor": "end" }, `${MAJORITY} for a majority`));
  for (const p of banded) {
    const rows = byParty.get(p);
    const pts = rows.map((r) => `${X(r.declared_count).toFixed(1)},${Y(r.high).toFixed(1)}`)
      .concat(rows.slice().reverse().map((r) => `${X(r.declared_count).toFixed(1)},${Y(r.low).toFixed(1)}`));
    chart.append(svg("polygon", { points: pts.join(" "), fill: colour(p), "fill-opacity": 0.2, class: "band", "data-party": p }));
  }
  const labels = [];
  for (const p of shown.slice().reverse()) {  // the biggest drawn last, on top
    const rows = byParty.get(p);
    const line = svg("polyline", { points: rows.map((r) => `${X(r.declared_count).toFixed(1)},${Y(r.projected_seats).toFixed(1)}`).join(" "),
      stroke: colour(p), class: `line${LIGHT.has(p) ? " light" : ""}`, "data-party": p, "data-points": rows.length });
    const last = rows[rows.length - 1];
    line.append(svg("title", {}, `${p}: projected ${last.projected_seats} after ${last.declared_count} declared`));
    chart.append(line);
    labels.push({ p, y: Y(last.projected_seats), x: X(last.declared_count), n: last.projected_seats });
  }
  labels.sort((a, b) => a.y - b.y);  // keep the end labels apart: down from the top, then up from the axis
  const ys = [];
  for (const lb of labels) ys.push(Math.max(lb.y + 4, ys.length ? ys[ys.length - 1] + 13 : -Infinity));
  for (let i = ys.length - 1, floor = Y(0); i >= 0; i -= 1) { ys[i] = Math.min(ys[i], floor); floor = ys[i] - 13; }
  labels.forEach((lb, i) => chart.append(svg("text", { x: Math.min(lb.x + 4, w - rm + 4), y: ys[i], "font-weight": 600 }, `${lb.p} ${lb.n}`)));
  if (replaying) {
    const at = Number($("projection-note").dataset.declaredCount || 0);
    chart.append(svg("line", { x1: X(at), x2: X(at), y1: t, y2: h - b, class: "guide" }));
  }
  chart.__scale = { X, counts, shown };
}
export function onChartPointer(ev, history) {
  const chart = $("history-chart"), sc = chart.__scale;
  if (!sc || !sc.counts.length) return;
  const box = chart.getBoundingClientRect();
  const vx = ((ev.clientX - box.left) / box.width) * CHART.w;
  const n = Math.round(((vx - CHART.l) / (CHART.w - CHART.l - CHART.r)) * HOUSE);
  const c = sc.counts.reduce((best, k) => (Math.abs(k - n) < Math.abs(best - n) ? k : best), sc.counts[0]);
  const rows = history.get(c).filter((r) => sc.shown.includes(r.party));
  rows.sort((a, b) => b.projected_seats - a.projected_seats);
  $("history-readout").textContent = `After ${c} declared: ` + rows.map((r) => `${r.party} ${r.projected_seats} (${r.low}–${r.high})`).join(", ");
}

// New row sets since the latest count we hold (that count again: a corrected result rewrites it).
export async function refreshHistory(history) {
  const counts = [...history.keys()];
  const top = counts.length ? Math.max(...counts) : 0;
  let rows = await getJSON(`/api/v1/projection/history?after=${top ? top - 1 : -1}`);
  if (top && !rows.some((r) => r.declared_count === top)) {  // the night was reset or rewound: start again
    history.clear(); rows = await getJSON("/api/v1/projection/history");
  }
  const fresh = new Map();
  for (const r of rows) { if (!fresh.has(r.declared_count)) fresh.set(r.declared_count, []); fresh.get(r.declared_count).push(r); }
  for (const [c, set] of fresh) history.set(c, set);
}
export async function optional(promise, fallback) {
  try { return await promise; } catch (err) { console.warn(err); return fallback; }  // e.g. a database without the projection yet
}
