/**
 * The Newsfeed page's list items, built with DOM APIs. Feed-supplied HTML (summaries, sanitised at
 * ingestion) is parsed in an inert document and shown as its text; search snippets keep only their
 * `<mark>`s, rebuilt as elements. No string ever reaches an HTML sink of the live page.
 */
import { el } from "../../docs/client/browser.ts";

export interface ArticleView {
  id: string;
  title: string | null;
  link: string | null;
  summary?: string | null;
  publishedAt: string;
  topics: string[];
  feed?: { id: string; title: string | null } | null;
  feedTitle?: string | null;
  likes?: number;
  liked?: boolean | null;
}

export interface FeedView {
  id: string;
  url: string;
  title: string | null;
  status: string;
  lastError: string | null;
  nextCheckAt: string | null;
  entryCount: number;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const when = (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : "—");

/** The text of an HTML fragment, from a document that runs no script and loads nothing. */
export function htmlText(fragment: string): string {
  return new DOMParser().parseFromString(fragment, "text/html").body.textContent ?? "";
}

/** A search snippet (escaped text with `<mark>`s) as nodes: text, and marks holding text. */
export function snippetNodes(snippet: string): Node[] {
  const body = new DOMParser().parseFromString(snippet, "text/html").body;
  return [...body.childNodes].map((node) =>
    node.nodeName === "MARK"
      ? el("mark", { text: node.textContent ?? "" })
      : document.createTextNode(node.textContent ?? ""),
  );
}

/** A link only for http(s) addresses: a feed could name `javascript:` as an article's link. */
function titleLink(article: { title: string | null; link: string | null }): HTMLElement {
  const text = article.title || "(untitled)";
  const safe = article.link && /^https?:\/\//i.test(article.link);
  return safe
    ? el("a", {
        class: "item-title",
        href: article.link!,
        rel: "noopener noreferrer",
        target: "_blank",
        text,
      })
    : el("span", { class: "item-title", text });
}

export function likeButton(article: ArticleView): HTMLElement {
  const liked = article.liked === true;
  return el("button", {
    type: "button",
    class: "like",
    "data-id": article.id,
    "aria-pressed": String(liked),
    "aria-label": `${liked ? "Unlike" : "Like"} “${article.title ?? "untitled"}”`,
    text: `♥ ${article.likes ?? 0}`,
  });
}

export function articleItem(article: ArticleView, extra?: Node): HTMLElement {
  const source = article.feed?.title ?? article.feedTitle ?? "";
  const topics = article.topics.map((t) => `#${t}`).join(" ");
  const meta = [source, when(article.publishedAt), topics].filter(Boolean).join(" · ");
  const children: Node[] = [
    titleLink(article),
    likeButton(article),
    el("span", { class: "item-meta", text: meta }),
  ];
  const summary = article.summary ? htmlText(article.summary).trim() : "";
  if (summary) children.push(el("p", { class: "item-summary", text: summary.slice(0, 300) }));
  if (extra) children.push(extra);
  return el("li", { class: "item", "data-id": article.id }, children);
}

export function feedItem(feed: FeedView): HTMLElement {
  const status = feed.lastError
    ? `${feed.status} · last error: ${feed.lastError}`
    : `${feed.status} · ${feed.entryCount} entries · next check ${when(feed.nextCheckAt)}`;
  return el("li", { class: "item", "data-id": feed.id }, [
    el("span", { class: "item-title", text: feed.title || feed.url }),
    el("span", { class: "item-meta feed-status", "data-status": feed.status, text: status }),
  ]);
}
