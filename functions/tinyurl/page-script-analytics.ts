/**
 * Part of `/app.js` (see page-script.ts): a link's analytics — totals, the visits-over-time chart drawn as
 * SVG with createElementNS, and the breakdown tables.
 */
export const ANALYTICS_SCRIPT = `
const SVG_NS = "http://www.w3.org/2000/svg";
const BREAKDOWNS = [
  ["referrers", "Top referrers", "Referrer"],
  ["countries", "Countries", "Country"],
  ["browsers", "Browsers", "Browser"],
  ["os", "Operating systems", "OS"],
  ["devices", "Devices", "Device"],
];
const TOTALS = [["an-total", "total"], ["an-humans", "humans"], ["an-bots", "bots"], ["an-unique", "uniqueVisitors"]];
const hourLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
let analyticsCode = null;
let analyticsSeq = 0;

function svg(tag, attrs, children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  for (const child of children || []) node.append(child);
  return node;
}

function svgText(x, y, anchor, text) {
  const node = svg("text", { x, y, "text-anchor": anchor });
  node.textContent = text;
  return node;
}

/** Bars of all visits with the human share drawn over them; each bucket has a hover tooltip. */
function drawChart(series, interval) {
  const W = 640, H = 200, left = 44, right = 8, top = 10, bottom = 26;
  const plotW = W - left - right, plotH = H - top - bottom;
  const peak = series.reduce((m, b) => Math.max(m, b.visits), 0);
  const scale = Math.max(1, peak);
  const total = series.reduce((s, b) => s + b.visits, 0);
  const format = interval === "hour" ? hourLabel : dayLabel;
  const label = (b) => format.format(new Date(b.start));
  const root = svg("svg", {
    class: "chart",
    viewBox: "0 0 " + W + " " + H,
    role: "img",
    "aria-label": "Visits per " + interval + ": " + fmtNum(total) + " in " + series.length + " " + interval + "s, at most " + fmtNum(peak) + " in one " + interval + ".",
  });
  root.append(
    svg("line", { class: "axis", x1: left, x2: W - right, y1: top, y2: top }),
    svg("line", { class: "axis", x1: left, x2: W - right, y1: top + plotH, y2: top + plotH }),
    svgText(left - 6, top + 4, "end", fmtNum(scale)),
    svgText(left - 6, top + plotH + 4, "end", "0"),
  );
  const step = plotW / Math.max(1, series.length);
  const gap = step > 4 ? 1 : 0;
  series.forEach((b, i) => {
    const x = left + i * step;
    const h = (b.visits / scale) * plotH;
    const hh = (b.humans / scale) * plotH;
    const tip = svg("title");
    tip.textContent = label(b) + ": " + fmtNum(b.visits) + " visits, " + fmtNum(b.humans) + " humans";
    root.append(
      svg("g", { class: "bucket" }, [
        tip,
        svg("rect", { class: "hit", x, y: top, width: step, height: plotH }),
        svg("rect", { class: "bar", x: x + gap / 2, y: top + plotH - h, width: Math.max(step - gap, 0.5), height: h }),
        svg("rect", { class: "bar-human", x: x + gap / 2, y: top + plotH - hh, width: Math.max(step - gap, 0.5), height: hh }),
      ]),
    );
  });
  const marks = [...new Set([0, Math.floor((series.length - 1) / 2), series.length - 1])].filter((i) => i >= 0);
  for (const i of marks) {
    const anchor = i === 0 ? "start" : i === series.length - 1 ? "end" : "middle";
    const x = anchor === "start" ? left : anchor === "end" ? W - right : left + (i + 0.5) * step;
    root.append(svgText(x, H - 6, anchor, label(series[i])));
  }
  return root;
}

function breakdownTable(caption, heading, rows, total) {
  const body = rows.length
    ? rows.map((row) =>
        el("tr", {}, [
          el("td", { text: row.value }),
          el("td", { class: "num", text: fmtNum(row.visits) }),
          el("td", { class: "num", text: total ? Math.round((row.visits / total) * 100) + "%" : "" }),
        ]),
      )
    : [el("tr", {}, [el("td", { colspan: "3", class: "empty", text: "No visits yet" })])];
  return el("table", {}, [
    el("caption", { text: caption }),
    el("thead", {}, [
      el("tr", {}, [
        el("th", { scope: "col", text: heading }),
        el("th", { scope: "col", class: "num", text: "Visits" }),
        el("th", { scope: "col", class: "num", text: "Share" }),
      ]),
    ]),
    el("tbody", {}, body),
  ]);
}

function renderAnalytics(data) {
  for (const [id, key] of TOTALS) $(id).textContent = fmtNum(data[key]);
  $("an-range").textContent = fmtDate(data.from) + " – " + fmtDate(data.to);
  $("an-chart").replaceChildren(drawChart(data.series, data.interval));
  for (const [key, caption, heading] of BREAKDOWNS) {
    $("an-" + key).replaceChildren(breakdownTable(caption, heading, data[key] || [], data.total));
  }
}

function clearAnalytics() {
  for (const [id] of TOTALS) $(id).textContent = "–";
  $("an-range").textContent = "";
  $("an-chart").replaceChildren();
  for (const [key] of BREAKDOWNS) $("an-" + key).replaceChildren();
}

/** Loads the open link's analytics. aria-busy tells assistive technology (and tests) when it is done. */
async function loadAnalytics() {
  const code = analyticsCode;
  if (!code) return;
  const seq = ++analyticsSeq;
  const section = $("analytics");
  section.setAttribute("aria-busy", "true");
  const interval = $("an-interval").value;
  try {
    const data = await api("GET", "/api/analytics/" + encodeURIComponent(code) + "?interval=" + encodeURIComponent(interval));
    if (seq !== analyticsSeq) return;
    showError($("an-error"), null);
    renderAnalytics(data);
  } catch (err) {
    if (seq === analyticsSeq) showError($("an-error"), err, "Could not load analytics: ");
  } finally {
    if (seq === analyticsSeq) section.setAttribute("aria-busy", "false");
  }
}

function openAnalytics(code, title) {
  if (analyticsCode !== code) clearAnalytics();
  analyticsCode = code;
  $("an-code").textContent = code;
  $("an-link-title").textContent = title || "";
  $("an-link-title").hidden = !title;
  showError($("an-error"), null);
  const section = $("analytics");
  section.hidden = false;
  loadAnalytics();
  section.scrollIntoView({ block: "start" });
  $("an-h").focus({ preventScroll: true });
}

function closeAnalytics() {
  analyticsCode = null;
  analyticsSeq++;
  $("analytics").hidden = true;
  $("analytics").setAttribute("aria-busy", "false");
}
`;
