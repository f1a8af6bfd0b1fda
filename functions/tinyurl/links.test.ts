import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, checkSlug, checkTarget, generateCode, linkState } from "./links.ts";
import { linkFixture } from "./testing/fixtures.ts";

const policy = { ownHosts: ["sho.rt"], blockedHosts: ["evil.example"] };

describe("generateCode", () => {
  it("makes 7 characters from the look-alike-free alphabet", () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[2-9A-HJ-NP-Za-km-np-z]{7}$/);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OolI]/);
  });

  it("rejects bytes that would bias the distribution", () => {
    // 56 symbols: 256 % 56 = 32, so bytes 224..255 must be skipped and 0..223 map to symbol byte % 56.
    expect(CODE_ALPHABET).toHaveLength(56);
    const feed = [255, 224, 223, 0, 55, 56, 111, 112, 168, 250, 200];
    let calls = 0;
    const random = (n: number) => {
      calls++;
      const out = new Uint8Array(n).fill(1);
      out.set(feed.slice(0, n));
      return out;
    };
    const code = generateCode(random);
    expect(calls).toBe(1);
    // 255 and 224 skipped; 223→55 'z', 0→0 '2', 55→'z', 56→'2', 111→'z', 112→'2', 168→'2'
    expect(code).toBe("z2z2z22");
  });
});

describe("checkSlug", () => {
  it("accepts the documented pattern", () => {
    expect(checkSlug("my-link_01")).toBeUndefined();
  });
  it.each(["ab", "a".repeat(65), "has space", "émoji", "a/b"])("refuses %s by format", (slug) => {
    expect(checkSlug(slug)).toBe("format");
  });
  it.each(["api", "API", "shorten", "healthz", "metrics"])("refuses reserved %s", (slug) => {
    expect(checkSlug(slug)).toBe("reserved");
  });
});

describe("checkTarget", () => {
  it("normalizes a valid http(s) URL", () => {
    expect(checkTarget("  https://Example.com/a b ", policy)).toEqual({
      ok: true,
      url: "https://example.com/a%20b",
    });
  });
  it.each([
    ["javascript:alert(1)", /only http and https/],
    ["data:text/html,hi", /only http and https/],
    ["ftp://x.org/", /only http and https/],
    ["/relative", /absolute/],
    ["", /empty/],
    [`https://x.org/${"a".repeat(2048)}`, /longer than 2048/],
    ["https://sho.rt/abc", /this shortener/],
    ["https://evil.example/", /blocked/],
    ["https://sub.evil.example/", /blocked/],
    ["https://user:pw@x.org/", /credentials/],
  ])("refuses %s", (url, reason) => {
    const result = checkTarget(url, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
  it("does not block a host that merely ends with the same letters", () => {
    expect(checkTarget("https://notevil.example/", policy).ok).toBe(true);
  });
});

describe("linkState", () => {
  const base = linkFixture("abc");
  it("is active without limits", () => expect(linkState(base, 10)).toBe("active"));
  it("expires at expiresAt", () => {
    expect(linkState({ ...base, expiresAt: 10 }, 9)).toBe("active");
    expect(linkState({ ...base, expiresAt: 10 }, 10)).toBe("expired");
  });
  it("is exhausted when visits reach the limit", () => {
    expect(linkState({ ...base, maxVisits: 2, visitsUsed: 1 }, 0)).toBe("active");
    expect(linkState({ ...base, maxVisits: 2, visitsUsed: 2 }, 0)).toBe("exhausted");
  });
});

describe("checkTarget length after normalization", () => {
  it("refuses a URL that only grows past the limit once encoded", () => {
    const raw = `https://x.org/${"a b".repeat(600)}`; // 1814 characters; every space becomes %20
    expect(raw.length).toBeLessThanOrEqual(2048);
    const result = checkTarget(raw, policy);
    expect(result).toEqual({ ok: false, reason: "url is longer than 2048 characters" });
  });
});

describe("checkTarget and this service's own host", () => {
  const local = { ownHosts: ["localhost:5055"], blockedHosts: [] };
  it.each([
    "http://localhost:5055/x",
    "http://LOCALHOST.:5055/x",
    "http://127.0.0.1:5055/x",
    "http://[::1]:5055/x",
  ])("refuses %s, another spelling of the service itself", (url) => {
    expect(checkTarget(url, local)).toEqual({ ok: false, reason: "url points to this shortener" });
  });
  it("ignores an own host that is not a host (a malformed Host header)", () => {
    expect(checkTarget("https://example.com/", { ownHosts: ["bad host:x"], blockedHosts: [] }).ok).toBe(true);
  });
  it("allows another service on the same machine", () => {
    expect(checkTarget("http://127.0.0.1:9000/x", local).ok).toBe(true);
  });
  it("matches a public host on any port when it has none", () => {
    expect(checkTarget("https://sho.rt./abc", policy).ok).toBe(false);
  });
});
