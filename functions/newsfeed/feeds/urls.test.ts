import { describe, expect, it } from "vitest";
import { firstBase, resolveUrl, webUrl } from "./urls.ts";

describe("resolveUrl", () => {
  it("resolves relative references against the base", () => {
    expect(resolveUrl("../b/c.html?x=1#f", "https://example.com/a/index.xml")).toBe(
      "https://example.com/b/c.html?x=1#f",
    );
    expect(resolveUrl("/root", "https://example.com/a/b")).toBe("https://example.com/root");
    expect(resolveUrl("//cdn.example.net/i.png", "https://example.com/")).toBe(
      "https://cdn.example.net/i.png",
    );
  });

  it("keeps absolute URLs (normalised) and trims whitespace", () => {
    expect(resolveUrl("  HTTP://Example.COM/a b  ", "https://other.example/")).toBe(
      "http://example.com/a%20b",
    );
    expect(resolveUrl("tag:example.com,2004:1", null)).toBe("tag:example.com,2004:1");
  });

  it("is null when there is nothing to resolve or no base to resolve against", () => {
    expect(resolveUrl(null, "https://example.com/")).toBeNull();
    expect(resolveUrl(undefined)).toBeNull();
    expect(resolveUrl("   ", "https://example.com/")).toBeNull();
    expect(resolveUrl("relative/path", null)).toBeNull();
    expect(resolveUrl("http://[bad", null)).toBeNull();
  });
});

describe("webUrl", () => {
  it("accepts http and https only", () => {
    expect(webUrl("post/1", "https://example.com/blog/")).toBe("https://example.com/blog/post/1");
    expect(webUrl("http://example.com/")).toBe("http://example.com/");
    for (const bad of [
      "javascript:alert(1)",
      "data:text/html,x",
      "file:///etc/passwd",
      "mailto:a@b.c",
      "ftp://x/",
    ]) {
      expect(webUrl(bad, "https://example.com/")).toBeNull();
    }
  });
});

describe("firstBase", () => {
  it("skips nulls and anything that is not an absolute URL", () => {
    expect(firstBase(null, undefined, "relative/", "https://a.example/", "https://b.example/")).toBe(
      "https://a.example/",
    );
    expect(firstBase(null, "nope")).toBeNull();
    expect(firstBase()).toBeNull();
  });
});
