/**
 * Follows on the page, without the DOM: what an article offers to follow (its source and topics), whether
 * something is followed, the request that toggles it, and the words that say so. Topics arrive from the
 * API already normalised (ranking.ts' `normalizeTopic`), in articles and follow lists alike, so they
 * compare as they are.
 */

export type FollowKind = "source" | "topic";

/** A source (a feed id) or a topic, and what a person reads for it: the feed's title, `#topic`. */
export interface FollowTarget {
  kind: FollowKind;
  value: string;
  label: string;
}

/** `GET /api/follows`, and what `POST`/`DELETE /api/follows` answer. */
export interface FollowList {
  sources: { id: string; title: string | null; url: string }[];
  topics: string[];
}

export const NO_FOLLOWS: FollowList = { sources: [], topics: [] };

/** The parts of an article (from the feed, recommendations, search or the live stream) that matter here. */
export interface FollowableArticle {
  topics: string[];
  feed?: { id: string; title: string | null } | null;
  /** Live articles name their feed flat. */
  feedId?: string;
  feedTitle?: string | null;
  /** Set on feed items: what the viewed user follows lifted this one. */
  followedSource?: boolean;
  followedTopic?: string | null;
}

/**
 * How the page shows follow targets: toggle buttons for a signed-in reader (whose follows it knows),
 * plain text otherwise (anonymous, or a read-only `?user=` view).
 */
export type FollowContext = { interactive: true; follows: FollowList } | { interactive: false };

export const topicTarget = (topic: string): FollowTarget => ({
  kind: "topic",
  value: topic,
  label: `#${topic}`,
});

export const sourceTarget = (id: string, title: string | null | undefined): FollowTarget => ({
  kind: "source",
  value: id,
  label: title || `Feed ${id}`,
});

/** The article's source (null when it names none) and its topics. */
export function articleTargets(article: FollowableArticle): {
  source: FollowTarget | null;
  topics: FollowTarget[];
} {
  const id = article.feed?.id ?? article.feedId;
  const title = article.feed ? article.feed.title : article.feedTitle;
  return { source: id ? sourceTarget(id, title) : null, topics: article.topics.map(topicTarget) };
}

export function isFollowed(list: FollowList, target: Pick<FollowTarget, "kind" | "value">): boolean {
  return target.kind === "source"
    ? list.sources.some((source) => source.id === target.value)
    : list.topics.includes(target.value);
}

/**
 * Whether to show a target of an article as followed: from the reader's own follows when signed in; in a
 * read-only view from the feed item's flags, which tell what the viewed user follows (never their list).
 */
export function shownAsFollowed(
  context: FollowContext,
  article: FollowableArticle,
  target: FollowTarget,
): boolean {
  if (context.interactive) return isFollowed(context.follows, target);
  return target.kind === "source" ? article.followedSource === true : article.followedTopic === target.value;
}

/** A target read back from a button's data attributes; null for anything else. */
export function parseTarget(
  kind: string | undefined,
  value: string | undefined,
  label: string | undefined,
): FollowTarget | null {
  if ((kind !== "source" && kind !== "topic") || !value) return null;
  return { kind, value, label: label || value };
}

/** The request that follows (`followed` false) or unfollows (`followed` true) the target. */
export function followRequest(
  target: FollowTarget,
  followed: boolean,
): { method: "POST" | "DELETE"; body: { source: string } | { topic: string } } {
  return {
    method: followed ? "DELETE" : "POST",
    body: target.kind === "source" ? { source: target.value } : { topic: target.value },
  };
}

/** The Following card's entries: sources by their feed's title (else its URL), then topics. */
export function followedTargets(list: FollowList): { sources: FollowTarget[]; topics: FollowTarget[] } {
  return {
    sources: list.sources.map((source) => sourceTarget(source.id, source.title || source.url)),
    topics: list.topics.map(topicTarget),
  };
}

/** What the page announces after a change (`nowFollowed`: the state the server answered with). */
export function followAnnouncement(target: FollowTarget, nowFollowed: boolean): string {
  return nowFollowed
    ? `Following ${target.label}: its stories are lifted in your feed.`
    : `No longer following ${target.label}.`;
}
