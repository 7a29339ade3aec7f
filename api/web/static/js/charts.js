// Charts drawn as inline SVG (no chart library, nothing fetched): vertical bar charts for
// score histograms and option counts, and a marker on a -1..1 scale for discrimination.
// Every chart carries its numbers as a table for screen readers.
import { formatNumber, h } from "./core.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/**
 * Bars for `values` under `labels`; `good` marks bars drawn in the "correct" colour.
 * Returns a figure with the SVG and a visually hidden table of the same numbers.
 */
export function barChart({ title, labels, values, good = [], xLabel = "", yLabel = "" }) {
  const width = 320;
  const height = 170;
  const pad = { left: 34, right: 8, top: 12, bottom: 38 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...values);
  const slot = plotW / Math.max(1, values.length);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title, focusable: "false" });
  svg.append(s("line", { class: "axis", x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH }));
  svg.append(s("line", { class: "axis", x1: pad.left, y1: pad.top, x2: pad.left, y2: pad.top + plotH }));
  svg.append(s("text", { x: pad.left - 4, y: pad.top + 4, "text-anchor": "end" }, String(max)));
  svg.append(s("text", { x: pad.left - 4, y: pad.top + plotH, "text-anchor": "end" }, "0"));
  values.forEach((value, index) => {
    const barH = (value / max) * plotH;
    const x = pad.left + index * slot + slot * 0.15;
    const barW = slot * 0.7;
    svg.append(s("rect", { class: `bar${good.includes(index) ? " correct" : ""}`, x, y: pad.top + plotH - barH, width: barW, height: Math.max(barH, value ? 1 : 0) }, s("title", {}, `${labels[index]}: ${value}`)));
    if (value) svg.append(s("text", { x: x + barW / 2, y: pad.top + plotH - barH - 2, "text-anchor": "middle" }, String(value)));
    const label = String(labels[index]);
    svg.append(s("text", { x: x + barW / 2, y: pad.top + plotH + 13, "text-anchor": "middle" }, label.length > 8 ? `${label.slice(0, 7)}…` : label));
  });
  if (xLabel) svg.append(s("text", { x: pad.left + plotW / 2, y: height - 4, "text-anchor": "middle" }, xLabel));
  const table = h(
    "table",
    { class: "visually-hidden" },
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, xLabel || ""), h("th", { scope: "col" }, yLabel || ""))),
    h("tbody", {}, labels.map((label, index) => h("tr", {}, h("th", { scope: "row" }, String(label)), h("td", {}, String(values[index]))))),
  );
  return h("figure", { class: "chart-figure" }, svg, table, h("figcaption", { class: "small muted" }, title));
}

/** A marker for `value` on a scale from -1 to 1 (discrimination), null drawn as "n/a". */
export function scaleChart({ title, value, naText }) {
  const width = 320;
  const height = 46;
  const left = 14;
  const right = width - 14;
  const x = (v) => left + ((v + 1) / 2) * (right - left);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": `${title}: ${value === null ? naText : formatNumber(value)}`, focusable: "false" });
  svg.append(s("line", { class: "axis", x1: left, y1: 20, x2: right, y2: 20 }));
  for (const tick of [-1, 0, 0.2, 0.4, 1]) {
    svg.append(s("line", { class: "axis", x1: x(tick), y1: 15, x2: x(tick), y2: 25 }));
    svg.append(s("text", { x: x(tick), y: 40, "text-anchor": "middle" }, String(tick)));
  }
  if (value !== null && value !== undefined) {
    svg.append(s("circle", { cx: x(Math.max(-1, Math.min(1, value))), cy: 20, r: 6, class: value >= 0.2 ? "bar correct" : "bar" }));
  }
  return h("figure", { class: "chart-figure" }, svg, h("figcaption", { class: "small muted" }, `${title}: ${value === null || value === undefined ? naText : formatNumber(value)}`));
}
