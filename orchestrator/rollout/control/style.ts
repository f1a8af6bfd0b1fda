/** The console's style: the Docs pages' base (cards, buttons, colours) plus rollouts, phases and charts. */
import { PAGE_STYLE } from "../../../functions/docs/page-style.ts";

export const CONSOLE_STYLE = `${PAGE_STYLE}
:root { --healthy: #1a7f37; --progressing: #1f6feb; --paused: #9a6700; --degraded: #cf222e; --stable: #1f6feb; --new: #e8590c; }
@media (prefers-color-scheme: dark) {
  :root { --healthy: #3fb950; --progressing: #58a6ff; --paused: #d29922; --degraded: #f85149; --stable: #58a6ff; --new: #ff922b; }
}
.app { max-width: 1200px; }
.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1rem; }
.local { margin-left: auto; font-weight: 400; font-size: .85rem; color: var(--muted); }
.live { font-size: .8rem; font-weight: 600; padding: .05rem .5rem; border-radius: 999px; border: 1px solid var(--line); }
.live[data-state="live"] { color: var(--healthy); border-color: var(--healthy); }
.live[data-state="offline"] { color: var(--degraded); border-color: var(--degraded); }
.rollouts { display: grid; gap: 1rem; }
.rollout { display: grid; gap: .9rem; }
.rollout-head { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .8rem; }
.rollout-head h2 { margin: 0; }
.meta { color: var(--muted); font-size: .9rem; }
.versions { font-family: var(--mono); font-size: .9rem; }
.version.role-stable { color: var(--stable); font-weight: 600; }
.version.role-new { color: var(--new); font-weight: 600; }
.message { margin: 0; }
span.phase { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 700; color: #fff; background: var(--muted); }
span.phase[data-phase="Healthy"], span.phase[data-phase="Successful"] { background: var(--healthy); }
span.phase[data-phase="Progressing"], span.phase[data-phase="Running"] { background: var(--progressing); }
span.phase[data-phase="Paused"], span.phase[data-phase="Inconclusive"], span.phase[data-phase="Pending"] { background: var(--paused); }
span.phase[data-phase="Degraded"], span.phase[data-phase="Failed"], span.phase[data-phase="Error"] { background: var(--degraded); }
td.phase { font-weight: 600; }
td.phase[data-phase="Successful"] { color: var(--healthy); }
td.phase[data-phase="Inconclusive"] { color: var(--paused); }
td.phase[data-phase="Failed"], td.phase[data-phase="Error"] { color: var(--degraded); }
button.danger { color: var(--degraded); border-color: var(--degraded); }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
.part h3 { font-size: 1rem; margin: 0 0 .5rem; }
.part h4 { font-size: .95rem; margin: .5rem 0 .3rem; }
.steps { margin: .5rem 0 0; padding-left: 2rem; }
.step { padding: .2rem .5rem; border-radius: 6px; font-family: var(--mono); font-size: .9rem; }
.step.done { color: var(--muted); }
.step.done::after { content: " ✓"; color: var(--healthy); }
.step.current { background: var(--accent); color: var(--accent-text); font-weight: 700; }
.step.current::marker { color: var(--accent); }
.weight { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; align-items: center; gap: .6rem; }
.weight label { font-weight: 400; color: var(--muted); font-size: .9rem; }
.weight-bar { width: 100%; height: .9rem; accent-color: var(--new); }
.weight-value { font-weight: 700; font-family: var(--mono); }
.services { display: grid; grid-template-columns: auto 1fr; gap: .2rem .8rem; margin: .6rem 0 0; }
.services dt { color: var(--muted); }
.services dd { margin: 0; font-family: var(--mono); }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .3rem 0 .6rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; }
td.role-stable { color: var(--stable); font-weight: 600; }
td.role-new { color: var(--new); font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: .8rem; }
.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
.chart figcaption { font-weight: 600; font-size: .9rem; }
.chart-svg { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 10px; font-family: var(--mono); }
.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.chart .line.role-stable { stroke: var(--stable); }
.chart .line.role-new { stroke: var(--new); }
.legend { list-style: none; margin: .3rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem .9rem; font-size: .82rem; }
.swatch { display: inline-block; width: .8rem; height: .25rem; margin-right: .35rem; vertical-align: middle; background: var(--muted); }
.legend .role-stable .swatch { background: var(--stable); }
.legend .role-new .swatch { background: var(--new); }
.run { border-top: 1px solid var(--line); padding-top: .4rem; }
.metric { margin: .2rem 0; font-size: .9rem; }
.events { list-style: none; margin: 0; padding: 0; font-size: .88rem; }
.events time { font-family: var(--mono); color: var(--muted); }
@media (max-width: 760px) { .columns { grid-template-columns: minmax(0, 1fr); } }
`;
