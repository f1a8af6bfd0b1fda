/** The Docs pages' style (light and dark). The editor's cursor layer must match the textarea's text box. */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #fff; --text: #1b1f24; --muted: #5b6470; --line: #d9dee5;
  --accent: #1f6feb; --accent-text: #fff; --error: #b42318; --error-bg: #fdecea; --radius: 10px;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1216; --card: #171b21; --text: #e6e9ee; --muted: #9aa4b2; --line: #2a313b;
    --accent: #4c8dff; --accent-text: #0b0d10; --error: #ff8a80; --error-bg: #3a1714;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
code { font-family: var(--mono); }
h1, h2 { line-height: 1.2; margin: 0 0 .75rem; }
h1 { font-size: 1.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; }
.top { padding: .9rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--card); font-weight: 600; }
.brand { color: var(--accent); text-decoration: none; }
.app { max-width: 960px; margin: 1.25rem auto; padding: 0 1rem; display: grid; gap: 1rem; }
.app.wide { max-width: 1100px; }
.foot { text-align: center; padding: 1rem; color: var(--muted); font-size: .9rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem; min-width: 0; }
label { font-weight: 600; }
.hint { color: var(--muted); font-weight: 400; font-size: .9rem; }
input, select, button, textarea { font: inherit; color: inherit; }
input, select { padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
input:focus-visible, select:focus-visible, button:focus-visible, a:focus-visible, textarea:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px;
}
button { padding: .45rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:disabled { opacity: .55; cursor: default; }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
button.quiet { border-color: transparent; background: transparent; color: var(--muted); }
.error { color: var(--error); background: var(--error-bg); padding: .5rem .75rem; border-radius: 6px; }
.empty { color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.toolbar input, .toolbar select { flex: 1 1 12rem; min-width: 0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 4px; border: 1px solid var(--line); font-size: .8rem; color: var(--muted); }
.badge:empty { display: none; }
.docs { list-style: none; margin: 0; padding: 0; }
.doc-item { display: grid; gap: .1rem; padding: .7rem 0; border-top: 1px solid var(--line); }
.doc-item:first-child { border-top: 0; }
.doc-title { font-weight: 600; overflow-wrap: anywhere; }
.doc-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .5rem 1rem; }
.doc-head h1 { margin: 0; }
.status { margin: 0; color: var(--muted); font-size: .9rem; }
.status[data-connection="offline"] { color: var(--error); }
.peers { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; margin: 0 0 0 auto; padding: 0; }
.peer { display: inline-flex; align-items: center; gap: .35rem; padding: .1rem .55rem; border: 1px solid var(--line); border-radius: 999px; font-size: .85rem; }
.dot { width: .6rem; height: .6rem; border-radius: 50%; }
/* The textarea and the cursor layer share one text box: same font, padding, border, wrapping, gutter. */
.editor-wrap { position: relative; }
#editor, .cursors {
  font: 15px/1.6 var(--mono); padding: 1rem 1.1rem; border: 1px solid var(--line); border-radius: var(--radius);
  white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; tab-size: 4; letter-spacing: normal;
  scrollbar-gutter: stable; margin: 0;
}
#editor { display: block; width: 100%; min-height: 60vh; resize: vertical; overflow-y: auto; background: var(--card); }
#editor[readonly] { background: var(--bg); }
.cursors { position: absolute; inset: 0; overflow: hidden; pointer-events: none; color: transparent; border-color: transparent; background: transparent; }
.cursors .range { opacity: .28; border-radius: 2px; }
.cursors .caret { position: relative; display: inline-block; width: 0; height: 1.3em; margin-right: -2px; border-left: 2px solid; vertical-align: text-bottom; }
.caret-label { position: absolute; left: -2px; bottom: 100%; padding: 0 .3rem; border-radius: 3px 3px 3px 0; font: 600 11px/1.5 system-ui, sans-serif; color: #fff; white-space: nowrap; }
@media (max-width: 600px) { .peers { margin-left: 0; } }
`;
