/** The Newsfeed page's style: the Docs pages' base (cards, forms, colours) plus the feed's own parts. */
import { PAGE_STYLE } from "../../docs/page-style.ts";

export const NEWSFEED_STYLE = `${PAGE_STYLE}
.columns { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 1rem; align-items: start; }
.side { display: grid; gap: 1rem; }
.items { list-style: none; margin: 0; padding: 0; }
.item { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .2rem .75rem; padding: .75rem 0; border-top: 1px solid var(--line); }
.item:first-child { border-top: 0; }
.item.fresh { background: linear-gradient(90deg, var(--error-bg), transparent 60%); }
.item-title { font-weight: 600; overflow-wrap: anywhere; }
.item-meta, .item-summary, .reason { grid-column: 1; color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
.item-summary { color: var(--text); }
.like { grid-column: 2; grid-row: 1 / span 2; align-self: start; white-space: nowrap; }
.like[aria-pressed="true"] { border-color: var(--accent); color: var(--accent); font-weight: 600; }
.banner { width: 100%; background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
.item-meta { display: flex; flex-wrap: wrap; align-items: center; gap: .3rem .45rem; }
.chip { display: inline-block; padding: .05rem .5rem; border: 1px solid var(--line); border-radius: 999px; font-size: .8rem; line-height: 1.4; color: var(--muted); background: transparent; overflow-wrap: anywhere; }
button.chip { color: var(--text); }
.chip.followed, .follow[aria-pressed="true"], .follow-feed[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: var(--accent-text); font-weight: 600; }
.chip.followed::before, .follow[aria-pressed="true"]::before, .follow-feed[aria-pressed="true"]::before { content: "✓ "; }
.follow-feed, .unfollow { grid-column: 2; grid-row: 1 / span 2; align-self: start; white-space: nowrap; padding: .25rem .7rem; }
.unfollow { grid-row: 1; align-self: center; }
.subhead { font-size: .95rem; margin: .75rem 0 0; color: var(--muted); }
.status-line { margin: 0 0 .5rem; }
.status-line:empty { margin: 0; }
.feed-status { font-size: .85rem; }
.feed-status[data-status="disabled"] { color: var(--error); }
mark { background: #ffe58a; color: #1b1f24; border-radius: 2px; }
@media (max-width: 760px) { .columns { grid-template-columns: minmax(0, 1fr); } }
`;
