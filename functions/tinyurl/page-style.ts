/** `/app.css`: the style of the TinyURL page and of the redirect path's small pages. Light and dark. */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #fff; --text: #1b1f24; --muted: #5b6470; --line: #d9dee5;
  --accent: #1f6feb; --accent-text: #fff; --error: #b42318; --error-bg: #fdecea;
  --bar: #9fc1f5; --bar-human: #1f6feb; --radius: 10px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1216; --card: #171b21; --text: #e6e9ee; --muted: #9aa4b2; --line: #2a313b;
    --accent: #4c8dff; --accent-text: #0b0d10; --error: #ff8a80; --error-bg: #3a1714;
    --bar: #2f4f80; --bar-human: #4c8dff;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.offscreen { position: fixed; left: -9999px; top: 0; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
h1, h2 { line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.15rem; }
h2:focus { outline: none; }
.top { padding: .9rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--card); font-weight: 600; }
.brand { color: var(--accent); }
.app { max-width: 960px; margin: 1.25rem auto; padding: 0 1rem; display: grid; gap: 1rem; }
.narrow { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); }
.foot { text-align: center; padding: 1rem; color: var(--muted); font-size: .9rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem; min-width: 0; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; }
label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
.narrow label { display: grid; gap: .25rem; }
.hint { color: var(--muted); font-weight: 400; font-size: .9rem; }
input, select, button { font: inherit; color: inherit; }
input, select { width: 100%; padding: .5rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
input:focus-visible, select:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px;
}
input[aria-invalid="true"] { border-color: var(--error); }
button { padding: .45rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); cursor: pointer; }
button:hover { border-color: var(--accent); }
button:disabled { opacity: .6; cursor: progress; }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; margin-top: .75rem; }
button.quiet { border-color: transparent; background: transparent; color: var(--muted); }
button.danger { color: var(--error); }
details { margin-top: .75rem; }
summary { cursor: pointer; color: var(--muted); }
.fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1rem; }
.error { color: var(--error); background: var(--error-bg); padding: .5rem .75rem; border-radius: 6px; }
.empty { color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.toolbar label { margin: 0; }
.toolbar input, .toolbar select { width: auto; flex: 1 1 12rem; }
.result-grid { display: grid; grid-template-columns: 1fr auto; gap: 1rem; align-items: start; }
.copy-row { display: flex; gap: .5rem; }
.target { overflow-wrap: anywhere; color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; }
.qr { background: #fff; border-radius: 6px; border: 1px solid var(--line); }
.link-title { font-weight: 600; overflow-wrap: anywhere; margin: 0 0 .25rem; }
.links { list-style: none; margin: 0; padding: 0; }
.link-item { display: flex; justify-content: space-between; gap: 1rem; padding: .75rem 0; border-top: 1px solid var(--line); }
.link-item:first-child { border-top: 0; }
.link-main { min-width: 0; display: grid; gap: .1rem; }
.link-target, .link-meta { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
.link-actions { display: flex; flex-wrap: wrap; gap: .4rem; align-items: start; justify-content: end; }
.link-actions button { padding: .3rem .6rem; font-size: .9rem; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; border: 1px solid var(--line); font-size: .8rem; color: var(--muted); }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.totals div { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.totals dt { color: var(--muted); font-size: .85rem; }
.totals dd { margin: 0; font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.chart-box { margin: 0 0 1rem; }
.chart { width: 100%; height: auto; display: block; }
.chart .bar { fill: var(--bar); }
.chart .bar-human { fill: var(--bar-human); }
.chart .hit { fill: transparent; }
.chart .bucket:hover .bar { fill: var(--accent); }
.chart .axis { stroke: var(--line); stroke-width: 1; }
.chart text { fill: var(--muted); font-size: 11px; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; margin-left: .5rem; }
.swatch.visits { background: var(--bar); }
.swatch.humans { background: var(--bar-human); }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
table { width: 100%; border-collapse: collapse; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .35rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
@media (max-width: 600px) {
  .result-grid { grid-template-columns: 1fr; }
  .link-item { flex-direction: column; }
  .link-actions { justify-content: start; }
}
`;
