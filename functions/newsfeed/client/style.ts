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
.feed-status { font-size: .85rem; }
.feed-status[data-status="disabled"] { color: var(--error); }
mark { background: #ffe58a; color: #1b1f24; border-radius: 2px; }
@media (max-width: 760px) { .columns { grid-template-columns: minmax(0, 1fr); } }
`;
