/** The page's follow logic without a browser: targets of articles, followed state, requests, wording. */
import { describe, expect, it } from "vitest";
import {
  articleTargets,
  type FollowList,
  followAnnouncement,
  followedTargets,
  followRequest,
  isFollowed,
  NO_FOLLOWS,
  parseTarget,
  shownAsFollowed,
  sourceTarget,
  topicTarget,
} from "./follow-model.ts";

const follows: FollowList = {
  sources: [
    { id: "3", title: "Site A", url: "https://a.example/feed.xml" },
    { id: "5", title: null, url: "https://b.example/feed.xml" },
  ],
  topics: ["rust", "machine-learning"],
};

describe("articleTargets", () => {
  it("offers a feed item's source by its feed's title, and each topic as #topic", () => {
    const targets = articleTargets({ topics: ["rust", "go"], feed: { id: "3", title: "Site A" } });
    expect(targets).toEqual({
      source: { kind: "source", value: "3", label: "Site A" },
      topics: [
        { kind: "topic", value: "rust", label: "#rust" },
        { kind: "topic", value: "go", label: "#go" },
      ],
    });
  });

  it("reads a live article's flat feed fields, and names an untitled feed by its id", () => {
    expect(articleTargets({ topics: [], feedId: "7", feedTitle: "Wire" }).source).toEqual(
      sourceTarget("7", "Wire"),
    );
    expect(articleTargets({ topics: [], feedId: "7", feedTitle: null }).source?.label).toBe("Feed 7");
    expect(
      articleTargets({ topics: [], feed: { id: "8", title: null }, feedTitle: "ignored" }).source,
    ).toEqual({ kind: "source", value: "8", label: "Feed 8" });
  });

  it("has no source when the article names no feed", () => {
    expect(articleTargets({ topics: ["x"], feed: null }).source).toBeNull();
    expect(articleTargets({ topics: [] }).source).toBeNull();
  });
});

describe("isFollowed and shownAsFollowed", () => {
  it("matches sources by feed id and topics exactly (the API sends both normalised)", () => {
    expect(isFollowed(follows, sourceTarget("3", "x"))).toBe(true);
    expect(isFollowed(follows, sourceTarget("4", "Site A"))).toBe(false);
    expect(isFollowed(follows, topicTarget("rust"))).toBe(true);
    expect(isFollowed(follows, topicTarget("go"))).toBe(false);
    // A topic named like a followed feed id is not that feed.
    expect(isFollowed(follows, topicTarget("3"))).toBe(false);
    expect(isFollowed(NO_FOLLOWS, topicTarget("rust"))).toBe(false);
  });

  it("signed in: from the reader's follows, whatever the item's flags say", () => {
    const article = { topics: ["rust", "go"], followedSource: true, followedTopic: "go" };
    const context = { interactive: true, follows } as const;
    expect(shownAsFollowed(context, article, sourceTarget("9", "Other"))).toBe(false);
    expect(shownAsFollowed(context, article, topicTarget("rust"))).toBe(true);
    expect(shownAsFollowed(context, article, topicTarget("go"))).toBe(false);
  });

  it("read only: from the feed item's flags, and nothing for items without them", () => {
    const context = { interactive: false } as const;
    const flagged = { topics: ["rust", "go"], followedSource: true, followedTopic: "go" };
    expect(shownAsFollowed(context, flagged, sourceTarget("9", "Other"))).toBe(true);
    expect(shownAsFollowed(context, flagged, topicTarget("go"))).toBe(true);
    expect(shownAsFollowed(context, flagged, topicTarget("rust"))).toBe(false);
    const plain = { topics: ["rust"] };
    expect(shownAsFollowed(context, plain, sourceTarget("3", "Site A"))).toBe(false);
    expect(shownAsFollowed(context, plain, topicTarget("rust"))).toBe(false);
  });
});

describe("parseTarget", () => {
  it("reads a button's kind, value and label back", () => {
    expect(parseTarget("topic", "rust", "#rust")).toEqual(topicTarget("rust"));
    expect(parseTarget("source", "3", "Site A")).toEqual(sourceTarget("3", "Site A"));
    expect(parseTarget("source", "3", undefined)).toEqual({ kind: "source", value: "3", label: "3" });
  });

  it("refuses anything else", () => {
    expect(parseTarget("user", "alice", "x")).toBeNull();
    expect(parseTarget(undefined, "rust", "#rust")).toBeNull();
    expect(parseTarget("topic", "", "#")).toBeNull();
    expect(parseTarget("topic", undefined, undefined)).toBeNull();
  });
});

describe("followRequest", () => {
  it("follows with POST and unfollows with DELETE, with exactly one of source and topic", () => {
    expect(followRequest(sourceTarget("3", "Site A"), false)).toEqual({
      method: "POST",
      body: { source: "3" },
    });
    expect(followRequest(sourceTarget("3", "Site A"), true)).toEqual({
      method: "DELETE",
      body: { source: "3" },
    });
    expect(followRequest(topicTarget("rust"), false)).toEqual({ method: "POST", body: { topic: "rust" } });
    expect(followRequest(topicTarget("rust"), true)).toEqual({ method: "DELETE", body: { topic: "rust" } });
  });
});

describe("followedTargets", () => {
  it("lists sources by title, else URL, then topics, in the API's order", () => {
    expect(followedTargets(follows)).toEqual({
      sources: [
        { kind: "source", value: "3", label: "Site A" },
        { kind: "source", value: "5", label: "https://b.example/feed.xml" },
      ],
      topics: [topicTarget("rust"), topicTarget("machine-learning")],
    });
    expect(followedTargets(NO_FOLLOWS)).toEqual({ sources: [], topics: [] });
  });
});

describe("followAnnouncement", () => {
  it("says what changed, by the target's label", () => {
    expect(followAnnouncement(topicTarget("rust"), true)).toBe(
      "Following #rust: its stories are lifted in your feed.",
    );
    expect(followAnnouncement(sourceTarget("3", "Site A"), false)).toBe("No longer following Site A.");
  });
});
