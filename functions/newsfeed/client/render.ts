/**
 * The Newsfeed page's list items, built with DOM APIs. Feed-supplied HTML (summaries, sanitised at
 * ingestion) is parsed in an inert document and shown as its text; search snippets keep only their
 * `<mark>`s, rebuilt as elements. No string ever reaches an HTML sink of the live page. An article's
 * source and topics, and each feed, carry follow toggles (follows.ts handles their clicks).
 */
import { el } from "../../docs/client/browser.ts";
import {
  articleTargets,
  type FollowableArticle,
  type FollowContext,
  type FollowTarget,
  isFollowed,
  shownAsFollowed,
  sourceTarget,
} from "./follow-model.ts";

export interface ArticleView extends FollowableArticle {
  id: string;
  title: string | null;
  link: string | null;
  summary?: string | null;
  publishedAt: string;
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

/** Marks a follow toggle as followed or not (its name stays: the pressed state says which). */
export function setFollowed(button: Element, followed: boolean): void {
  button.setAttribute("aria-pressed", String(followed));
  const label = button.getAttribute("data-follow-label");
  button.setAttribute("title", followed ? `Following ${label}: click to unfollow` : `Follow ${label}`);
}

/** A follow toggle for `target`; `text` is what it shows (its label unless told otherwise). */
export function followButton(
  target: FollowTarget,
  followed: boolean,
  className: string,
  text = target.label,
): HTMLElement {
  const button = el("button", {
    type: "button",
    class: className,
    "data-follow-kind": target.kind,
    "data-follow-value": target.value,
    "data-follow-label": target.label,
    "aria-label": `Follow ${target.label}`,
    text,
  });
  setFollowed(button, followed);
  return button;
}

/** An article's source or topic: a follow toggle for a signed-in reader, plain text otherwise. */
function followChip(article: ArticleView, target: FollowTarget, follows: FollowContext): HTMLElement {
  const followed = shownAsFollowed(follows, article, target);
  if (follows.interactive) return followButton(target, followed, "chip follow");
  return el("span", {
    class: followed ? "chip followed" : "chip",
    title: followed ? "Followed by this user" : undefined,
    text: target.label,
  });
}

export function articleItem(article: ArticleView, follows: FollowContext, extra?: Node): HTMLElement {
  const { source, topics } = articleTargets(article);
  const chip = (target: FollowTarget) => followChip(article, target, follows);
  const meta = el("div", { class: "item-meta" }, [
    ...(source ? [chip(source)] : []),
    el("span", { text: when(article.publishedAt) }),
    ...topics.map(chip),
  ]);
  const children: Node[] = [titleLink(article), likeButton(article), meta];
  const summary = article.summary ? htmlText(article.summary).trim() : "";
  if (summary) children.push(el("p", { class: "item-summary", text: summary.slice(0, 300) }));
  if (extra) children.push(extra);
  return el("li", { class: "item", "data-id": article.id }, children);
}

/** A feed with its status, and a follow toggle when the reader can follow. */
export function feedItem(feed: FeedView, follows: FollowContext): HTMLElement {
  const status = feed.lastError
    ? `${feed.status} · last error: ${feed.lastError}`
    : `${feed.status} · ${feed.entryCount} entries · next check ${when(feed.nextCheckAt)}`;
  const target = sourceTarget(feed.id, feed.title || feed.url);
  const children: Node[] = [
    el("span", { class: "item-title", text: target.label }),
    el("span", { class: "item-meta feed-status", "data-status": feed.status, text: status }),
  ];
  if (follows.interactive) {
    children.splice(1, 0, followButton(target, isFollowed(follows.follows, target), "follow-feed", "Follow"));
  }
  return el("li", { class: "item", "data-id": feed.id }, children);
}
