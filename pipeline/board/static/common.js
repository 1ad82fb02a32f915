// What the board's modules share: party colours, DOM helpers, fetching JSON.
// Feed data only ever goes into the page as text: textContent and attributes, never innerHTML.

// Colour-blind-safe colours (Okabe-Ito and Paul Tol's palettes), always shown with the party's code.
export const COLOURS = {
  CON: "#0072B2", LAB: "#D55E00", LD: "#E69F00", SNP: "#F0E442", PC: "#009E73", GRN: "#56B4E9",
  BRX: "#44AA99", UKIP: "#882255", DUP: "#CC79A7", SF: "#117733", SDLP: "#88CCEE", UUP: "#332288",
  ALL: "#DDCC77", SPK: "#444444", IND: "#AA4499", OTH: "#777777",
  REF: "#44AA99", TUV: "#661100",  // Reform UK is the Brexit Party renamed: its colour
};
export const LIGHT = new Set(["LD", "SNP", "GRN", "SDLP", "ALL", "DUP", "BRX", "REF"]);
export const SVGNS = "http://www.w3.org/2000/svg";
export const $ = (id) => document.getElementById(id);
export const colour = (p) => COLOURS[p] || COLOURS.OTH;


export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}
export function cell(row, text, cls) { const td = el("td", text); if (cls) td.className = cls; row.append(td); return td; }
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = String(text);
  return node;
}
export async function getJSON(url) {
  const resp = await fetch(url, { cache: "no-cache" });  // revalidates with the ETag: a 304 costs nothing
  if (!resp.ok) throw new Error(`${url}: ${resp.status}`);
  return resp.json();
}
