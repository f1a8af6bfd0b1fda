/**
 * The traffic charts as inline SVG built with DOM calls (no chart library; colours come from the page's
 * style sheet through classes, so the CSP needs no inline style). One chart per metric, one line per version.
 */
import { el } from "../../../../functions/docs/client/browser.ts";
import { chartGeometry, DEFAULT_BOX } from "./geometry.ts";
import type { TrafficHistory, TrafficMetric } from "./history.ts";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface ChartSpec {
  metric: TrafficMetric;
  title: string;
  /** Values × scale are drawn (1 for rps and ms, 100 for a share shown in %). */
  scale: number;
  unit: string;
  /** The smallest top of the scale. */
  minMax: number;
}

export const CHARTS: ChartSpec[] = [
  { metric: "rps", title: "Request rate", scale: 1, unit: "req/s", minMax: 1 },
  { metric: "errorRate", title: "Error rate", scale: 100, unit: "%", minMax: 5 },
  { metric: "p95Ms", title: "p95 latency", scale: 1, unit: "ms", minMax: 10 },
];

/** A <figure> for one chart; `drawChart` fills it. */
export function chartFigure(spec: ChartSpec): HTMLElement {
  const figure = el("figure", { class: "chart", "data-metric": spec.metric });
  const svgNode = svg("svg", {
    class: "chart-svg",
    viewBox: `0 0 ${DEFAULT_BOX.width} ${DEFAULT_BOX.height}`,
    role: "img",
    "aria-label": `${spec.title} per version (${spec.unit})`,
  });
  figure.appendChild(el("figcaption", { text: `${spec.title} (${spec.unit})` }));
  figure.appendChild(svgNode);
  figure.appendChild(el("ul", { class: "legend" }));
  return figure;
}

/** Redraws `figure` from the history (the whole chart: it is a handful of elements). */
export function drawChart(figure: HTMLElement, spec: ChartSpec, history: TrafficHistory): void {
  const svgNode = figure.querySelector("svg")!;
  const legend = figure.querySelector("ul.legend")!;
  const span = history.span();
  const end = span ? span[1] : 0;
  // The window slides: the right edge is the latest sample, the left one the window's start (or the first).
  const start = span ? Math.max(span[0], end - history.windowMs) : 0;
  const geometry = chartGeometry(history.series(spec.metric), {
    t0: start,
    t1: end,
    scale: spec.scale,
    minMax: spec.minMax,
  });
  const { plot } = geometry;
  const nodes: SVGElement[] = [];
  for (const tick of geometry.ticks) {
    nodes.push(svg("line", { class: "grid", x1: plot.x0, x2: plot.x1, y1: tick.y, y2: tick.y }));
    nodes.push(
      svg("text", { class: "tick", x: plot.x0 - 4, y: tick.y + 3, "text-anchor": "end" }, tick.label),
    );
  }
  nodes.push(
    svg(
      "text",
      { class: "tick", x: plot.x1, y: DEFAULT_BOX.height - 5, "text-anchor": "end" },
      geometry.spanLabel,
    ),
  );
  for (const line of geometry.lines) {
    if (!line.d) continue;
    nodes.push(svg("path", { class: `line role-${line.role}`, d: line.d, "data-version": line.version }));
  }
  svgNode.replaceChildren(...nodes);
  legend.replaceChildren(
    ...geometry.lines.map((line) =>
      el("li", { class: `role-${line.role}` }, [
        el("span", { class: "swatch", "aria-hidden": "true" }),
        `${line.version} (${line.role}): ${line.last === null ? "—" : `${formatValue(line.last)} ${spec.unit}`}`,
      ]),
    ),
  );
  if (history.size === 0) legend.replaceChildren(el("li", { class: "hint", text: "waiting for traffic…" }));
}

const formatValue = (value: number) =>
  value >= 100 ? Math.round(value).toString() : Number(value.toFixed(value >= 10 ? 1 : 2)).toString();
