// The resultsnight board. Feed data (names, messages) only ever goes into the
// page as text: textContent and attributes, never innerHTML.

import { $, COLOURS, LIGHT, SVGNS, cell, colour, el, getJSON } from "./common.js";
import { onChartPointer, optional, refreshHistory, renderHistory, renderProjection, shownProjection } from "./projection.js";

const state = { seats: new Map(), hexes: new Map(), tally: [], agency: [], alerts: [], lastAlert: 0, targets: [], watch: [],
  baseLabel: "2017",
  projection: [], history: new Map(), timeline: null, asOf: null, pending: [], refreshing: false, again: false };
// For tests and benchmarks: when the page loaded, and when each event reached the DOM.
window.__rn = { loadedAt: Date.now(), ready: false, updates: [], events: 0 };

function seatButton(gss, name) {
  const b = el("button", name, { type: "button", class: "link" });
  b.addEventListener("click", () => openCard(gss));
  return b;
}
function fmtTime(iso) { return iso ? new Date(iso).toLocaleTimeString("en-GB", { timeZone: "UTC" }) + " UTC" : "–"; }
function signed(n) { return n > 0 ? `+${n}` : String(n); }
function withAsOf(url) { return state.asOf ? `${url}${url.includes("?") ? "&" : "?"}as_of=${encodeURIComponent(state.asOf)}` : url; }

function drawMap(layout) {
  const hexes = Object.entries(layout.hexes);
  const qs = hexes.map(([, h]) => h[0]), rs = hexes.map(([, h]) => h[1]);
  const qmin = Math.min(...qs), rmax = Math.max(...rs);
  const R = 10, w = Math.sqrt(3) * R;
  const corners = [0, 1, 2, 3, 4, 5].map((i) => {
    const a = Math.PI / 180 * (60 * i - 30);
    return `${(R * Math.cos(a)).toFixed(2)},${(R * Math.sin(a)).toFixed(2)}`;
  }).join(" ");
  let maxX = 0, maxY = 0;
  const group = $("hexes");
  for (const [gss, [q, r]] of hexes) {
    const rc = rmax - r;  // hexjson counts rows from the bottom; odd-r shifts odd rows right (as d3-hexjson)
    const x = (q - qmin) * w + (rc % 2 === 1 ? w : w / 2), y = rc * 1.5 * R + R;
    maxX = Math.max(maxX, x + w); maxY = Math.max(maxY, y + R);
    const poly = document.createElementNS(SVGNS, "polygon");
    poly.setAttribute("points", corners);
    poly.setAttribute("transform", `translate(${x.toFixed(2)},${y.toFixed(2)})`);
    poly.setAttribute("class", "hex");
    poly.dataset.gss = gss;
    poly.append(document.createElementNS(SVGNS, "title"));
    poly.addEventListener("click", () => openCard(gss));
    group.append(poly);
    state.hexes.set(gss, poly);
  }
  $("hexmap").setAttribute("viewBox", `0 0 ${maxX.toFixed(0)} ${maxY.toFixed(0)}`);
  const defs = $("patterns");
  for (const [party, c] of Object.entries(COLOURS)) {  // provisional (a rush, a desk call): striped
    const p = document.createElementNS(SVGNS, "pattern");
    for (const [k, v] of Object.entries({ id: `prov-${party}`, width: 4, height: 4, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" })) p.setAttribute(k, v);
    const bg = document.createElementNS(SVGNS, "rect");
    for (const [k, v] of Object.entries({ width: 4, height: 4, fill: c })) bg.setAttribute(k, v);
    const stripe = document.createElementNS(SVGNS, "rect");
    for (const [k, v] of Object.entries({ width: 1.6, height: 4, fill: "#ffffff", "fill-opacity": 0.75 })) stripe.setAttribute(k, v);
    p.append(bg, stripe); defs.append(p);
  }
}

function renderMap() {
  for (const [gss, poly] of state.hexes) {
    const s = state.seats.get(gss);
    const winner = s && s.winner_party, status = s ? s.status : "awaiting";
    const provisional = winner && status !== "declared";
    poly.style.fill = !winner ? "var(--await)" : provisional ? `url(#prov-${COLOURS[winner] ? winner : "OTH"})` : colour(winner);
    poly.dataset.status = status;
    poly.dataset.filled = winner ? "true" : "false";
    poly.dataset.winner = winner || "";
    poly.classList.toggle("gain", Boolean(s && s.outcome === "gain"));
    if (s && s.outcome === "gain") poly.parentNode.append(poly);  // outlines on top
    const what = !winner ? "awaiting" : `${winner} ${s.outcome || ""}${provisional ? ` (${status}, provisional)` : ""}`;
    poly.firstChild.textContent = `${s ? s.constituency : gss}: ${what}`;
  }
}

function renderLegend() {
  const legend = $("legend"); legend.replaceChildren();
  const shown = new Set(state.tally.filter((t) => t.seats > 0 || t.baseline_seats > 0).map((t) => t.party));
  for (const party of Object.keys(COLOURS).filter((p) => shown.has(p))) {
    const li = el("li"); const sw = el("span", null, { class: "swatch", "aria-hidden": "true" });
    sw.style.background = colour(party); li.append(sw, party); legend.append(li);
  }
  for (const [label, cls] of [["awaiting", ""], ["provisional (rush or call)", "provisional"], ["gain", "gain"]]) {
    const li = el("li"); const sw = el("span", null, { class: `swatch ${cls}`, "aria-hidden": "true" });
    sw.style.backgroundColor = label === "awaiting" ? "var(--await)" : "#888"; li.append(sw, label); legend.append(li);
  }
}

function renderTally() {
  const seats = [...state.seats.values()];
  const declared = seats.filter((s) => s.status === "declared").length;
  const provisional = seats.filter((s) => s.winner_party && s.status !== "declared").length;
  $("declared").textContent = `${declared} of ${seats.length} declared` + (provisional ? ` · ${provisional} provisional` : "");
  $("declared").dataset.declared = declared;
  const bar = $("seatsbar"); const line = $("majority-line");
  bar.replaceChildren(line);
  const body = $("tally").tBodies[0]; body.replaceChildren();
  const parties = state.tally.filter((t) => t.seats > 0 || t.baseline_seats > 0);
  for (const t of parties) {
    if (t.seats > 0) {
      const seg = el("div", t.seats >= 15 ? `${t.party} ${t.seats}` : "", { class: `segment${LIGHT.has(t.party) ? " light" : ""}`, title: `${t.party}: ${t.seats} seats` });
      seg.style.width = `${(100 * t.seats) / Math.max(seats.length, 1)}%`; seg.style.background = colour(t.party);
      bar.append(seg);
    }
    const row = el("tr"); const name = cell(row, null);
    const sw = el("span", null, { class: "swatch", "aria-hidden": "true" }); sw.style.background = colour(t.party);
    name.append(sw, t.party);
    cell(row, t.seats, "num"); cell(row, signed(t.net), "num"); cell(row, t.vote_share_pct ?? "–", "num");
    body.append(row);
  }
  bar.setAttribute("aria-label", "Seats: " + parties.filter((t) => t.seats).map((t) => `${t.party} ${t.seats}`).join(", ") + "; 326 for a majority");
}

function renderTicker() {
  const list = $("ticker"); list.replaceChildren();
  const shown = state.alerts.filter((a) => !state.asOf || a.raised_at <= state.asOfIso).slice(-15).reverse();
  for (const a of shown) {
    const li = el("li"); const when = a.declared_at || a.raised_at;  // the night's own time, as the agency gave it
    // a disagreement is about the agency's state of the parties, not one seat
    li.append(el("time", fmtTime(when), { datetime: when }), a.gss_code ? seatButton(a.gss_code, a.message) : el("span", a.message));
    li.dataset.kind = a.kind;
    list.append(li);
  }
  if (!shown.length) list.append(el("li", "No flips or alerts yet."));
}

function renderAgency() {  // results.agency_check: the agency's latest totals beside ours over the same seats
  const body = $("agency").tBodies[0]; body.replaceChildren();
  const rows = state.asOf ? [] : state.agency;  // the agency's totals are live only
  const disagree = rows.filter((r) => !r.agrees);
  $("agency-note").textContent = !rows.length
    ? (state.asOf ? "The agency's running total is shown live only." : "No state of the parties from the agency yet.")
    : `After ${rows[0].number_of_results} results: ` + (disagree.length
      ? `the agency disagrees with us on ${disagree.map((r) => r.party).join(", ")}`
      : "the agency agrees with us");
  $("agency-note").dataset.agrees = rows.length ? String(!disagree.length) : "";
  for (const r of rows) {
    const row = el("tr", null, { "data-party": r.party, "data-agrees": String(r.agrees) });
    const name = cell(row, null);
    const sw = el("span", null, { class: "swatch", "aria-hidden": "true" }); sw.style.background = colour(r.party);
    name.append(sw, r.party);
    cell(row, r.agency_seats, "num"); cell(row, r.our_seats, "num");
    cell(row, r.agency_votes.toLocaleString("en-GB"), "num"); cell(row, r.our_votes.toLocaleString("en-GB"), "num");
    cell(row, r.agrees ? "agrees" : "differs", r.agrees ? "status-gained" : "status-missed");
    body.append(row);
  }
}

function statusFor(attacking, gss) {
  const s = state.seats.get(gss);
  if (!s || !s.winner_party) return "awaiting";
  return s.winner_party === attacking ? "gained" : "missed";
}
function renderTargets() {
  const party = $("target-party").value, body = $("targets").tBodies[0]; body.replaceChildren();
  for (const t of state.targets.filter((x) => x.attacking_party === party).slice(0, 20)) {
    const row = el("tr"); cell(row, t.rank, "num"); cell(row, null).append(seatButton(t.gss_code, t.constituency));
    cell(row, t.defending_party); cell(row, `${t.swing_needed_pct}%`, "num");
    const st = statusFor(party, t.gss_code); cell(row, st, `status-${st}`); body.append(row);
  }
}
function renderWatch() {  // the lists of seeds/watch_lists.csv, as the summary and the report show them
  const box = $("watch-lists"); box.replaceChildren();
  $("watch-title").textContent = state.watch.length === 1 ? `Watch list: ${state.watch[0].title}` : "Watch lists";
  for (const list of state.watch) {
    if (state.watch.length > 1) box.append(el("h3", list.title));
    const table = el("table", null, { class: "watch", "data-list": list.list_id });
    const head = el("tr"); for (const h of ["Seat", state.baseLabel, "Majority", "Now"]) head.append(el("th", h, { scope: "col" }));
    table.append(el("thead"), el("tbody")); table.tHead.append(head);
    for (const w of list.seats) {
      const s = state.seats.get(w.gss_code) || {};
      const row = el("tr"); cell(row, null).append(seatButton(w.gss_code, w.constituency)); cell(row, w.party);
      cell(row, w.majority, "num");
      cell(row, s.winner_party ? `${s.winner_party} ${s.outcome}${s.status !== "declared" ? " (provisional)" : ""}` : "awaiting");
      table.tBodies[0].append(row);
    }
    box.append(table);
  }
}

function projectionShown() {
  const declared = state.asOf ? [...state.seats.values()].filter((s) => s.status === "declared").length : null;
  return shownProjection(state.projection, state.history, declared);
}
function render() {
  renderMap(); renderTally(); renderAgency(); renderLegend(); renderTicker(); renderTargets(); renderWatch(); renderProjection(projectionShown()); renderHistory(state.history, Boolean(state.asOf));
  const names = $("seat-names");
  if (names.children.length !== state.seats.size) {
    names.replaceChildren(...[...state.seats.values()].map((s) => { const o = el("option"); o.value = s.constituency; return o; }));
  }
}

async function refresh() {
  if (state.refreshing) { state.again = true; return; }
  state.refreshing = true;
  const batch = state.pending.splice(0);
  try {
    const [seats, tally, alerts, timeline, projection, , agency] = await Promise.all([
      getJSON(withAsOf("/api/v1/seats")), getJSON(withAsOf("/api/v1/tally")),
      getJSON(`/api/v1/alerts?after=${state.lastAlert}`), getJSON("/board/timeline.json"),
      optional(getJSON("/api/v1/projection"), []), optional(refreshHistory(state.history), null),
      optional(getJSON("/api/v1/agency/check"), [])]);
    state.seats = new Map(seats.map((s) => [s.gss_code, s])); state.tally = tally; state.projection = projection;
    state.agency = agency;
    state.alerts.push(...alerts); if (alerts.length) state.lastAlert = alerts[alerts.length - 1].alert_id;
    state.timeline = timeline;
    render();
    const applied = Date.now();
    for (const e of batch) window.__rn.updates.push({ event_id: e.event_id, at: e.at, applied });
  } finally {
    state.refreshing = false;
    if (state.again) { state.again = false; refresh(); }
  }
}

async function openCard(gss) {
  const card = await getJSON(`/api/v1/seats/${encodeURIComponent(gss)}`);
  $("card-title").textContent = card.constituency;
  const summary = card.winner_party
    ? `${card.winner_party} ${card.outcome} (${state.baseLabel}: ${card.baseline_party}) · ${card.status} · majority ${card.majority ?? "–"} (${card.majority_pct ?? "–"}%) · turnout ${card.turnout_pct ?? "–"}% · swing ${card.swing_pct ?? "–"} (needed ${card.swing_needed_pct}%)`
    : `Awaiting (${state.baseLabel}: ${card.baseline_party}; swing needed ${card.swing_needed_pct}%)`;
  $("card-summary").textContent = `${card.gss_code} · ${card.region} · ${summary}`;
  const base = new Map(card.baseline.map((b) => [b.party, b.share_pct]));
  const cands = $("card-candidates").tBodies[0]; cands.replaceChildren();
  for (const c of card.candidates) {
    const row = el("tr"); cell(row, c.candidate_name + (c.elected ? " (elected)" : ""));
    cell(row, `${c.party} · ${c.party_label}`); cell(row, c.votes.toLocaleString("en-GB"), "num"); cell(row, c.share_pct, "num");
    const before = base.get(c.party);
    cell(row, before === undefined ? "new" : signed(Math.round((c.share_pct - before) * 10) / 10), "num");
    cands.append(row);
  }
  // Before the seat declares, who is on the ballot (the agency's nominations; a higher revision replaces the list).
  const noms = $("card-nominations"); noms.tBodies[0].replaceChildren();
  noms.hidden = card.status === "declared" || !card.nominations.length;
  if (card.nominations.length) noms.caption.textContent = `On the ballot (${card.nominations.length} nominated, revision ${card.nominations[0].revision})`;
  for (const n of card.nominations) {
    const row = el("tr"); cell(row, n.candidate + (n.sitting_member ? " (sitting member)" : ""));
    cell(row, `${n.party} · ${n.party_label}`); noms.tBodies[0].append(row);
  }
  $("card-candidates").hidden = !card.candidates.length && !noms.hidden;
  const revs = $("card-revisions").tBodies[0]; revs.replaceChildren();
  for (const r of card.revisions) {
    const row = el("tr"); cell(row, r.kind + (r.is_current ? " (current)" : "")); cell(row, r.revision, "num");
    cell(row, r.winner_party || "–"); cell(row, fmtTime(r.declared_at)); cell(row, fmtTime(r.stored_at)); revs.append(row);
  }
  const dialog = $("card"); dialog.dataset.gss = card.gss_code;
  if (!dialog.open) dialog.showModal();
}

function findSeat(query) {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const seats = [...state.seats.values()];
  return seats.find((s) => s.gss_code.toLowerCase() === q || s.constituency.toLowerCase() === q)
    || seats.find((s) => s.constituency.toLowerCase().startsWith(q)) || seats.find((s) => s.constituency.toLowerCase().includes(q));
}

function sliderTime() {
  const t = state.timeline; const v = Number($("slider").value);
  if (v >= 1000 || !t || !t.first_stored_at) return null;
  const a = Date.parse(t.first_stored_at) - 1000, b = Date.parse(t.last_stored_at);
  return new Date(a + ((b - a) * v) / 1000);
}
let sliderTimer = null;
function onSlider() {
  const t = sliderTime();
  state.asOf = t ? t.toISOString() : null; state.asOfIso = state.asOf;
  $("slider-time").textContent = t ? `As at ${fmtTime(state.asOf)}` : "Live";
  $("mode").textContent = t ? "Replaying" : "Live"; $("mode").className = t ? "replay" : "live";
  clearTimeout(sliderTimer); sliderTimer = setTimeout(refresh, 120);
}

function listen() {
  const source = new EventSource("/api/v1/events");  // reconnects by itself, with Last-Event-ID
  const onEvent = (msg) => {
    const e = JSON.parse(msg.data); window.__rn.events += 1;
    if (e.kind === "reset") { state.alerts = []; state.lastAlert = 0; state.history.clear(); }
    state.pending.push(e);
    if (!state.asOf) refresh();
  };
  for (const kind of ["declaration", "alert", "call", "reset", "nominations", "state_of_parties"]) source.addEventListener(kind, onEvent);
  // Another election is counted (`db init --election`): another map, baseline and watch lists: start again.
  source.addEventListener("election", () => window.location.reload());
}

async function start() {
  const [layout, targets, watch] = await Promise.all([getJSON("/board/hexmap.json"), getJSON("/api/v1/targets"), getJSON("/board/watch.json")]);
  // The counted election's baseline names the "before" columns: "2017", "2019 notional" (results.count_setting).
  state.baseLabel = layout.baseline_label || state.baseLabel;
  $("tally").caption.textContent = `Seats by party, change against ${state.baseLabel}`;
  drawMap(layout); state.targets = targets; state.watch = watch;
  const select = $("target-party");
  for (const p of [...new Set(targets.map((t) => t.attacking_party))].sort((a, b) => (a === "LAB" ? -1 : b === "LAB" ? 1 : a.localeCompare(b)))) select.append(el("option", p, { value: p }));
  select.addEventListener("change", renderTargets);
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault(); const s = findSeat($("search").value);
    if (s) openCard(s.gss_code); else $("search").setCustomValidity("No such seat"), $("search").reportValidity();
  });
  $("search").addEventListener("input", () => $("search").setCustomValidity(""));
  $("slider").addEventListener("input", onSlider);
  $("history-chart").addEventListener("pointermove", (ev) => onChartPointer(ev, state.history));
  $("live-button").addEventListener("click", () => { $("slider").value = 1000; onSlider(); });
  listen();
  await refresh();
  window.__rn.ready = true;
}
start();
