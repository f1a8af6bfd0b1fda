import { describe, expect, it } from "vitest";
import {
  buildSeries,
  DAY_MS,
  describeAgent,
  INTERVAL_MS,
  MAX_BUCKETS,
  referrerHost,
  toVisitRow,
  type VisitEvent,
  visitorHash,
} from "./analytics.ts";

const UA = {
  chrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
const DAY = Date.UTC(2024, 4, 1); // 2024-05-01T00:00:00Z

describe("visitorHash", () => {
  it("is stable within a UTC day", async () => {
    const first = await visitorHash("s", DAY, "203.0.113.7", UA.chrome);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(await visitorHash("s", DAY + 12 * 3_600_000, "203.0.113.7", UA.chrome)).toBe(first);
    expect(await visitorHash("s", DAY + DAY_MS - 1, "203.0.113.7", UA.chrome)).toBe(first);
  });

  it("changes with the day, the IP, the user agent and the secret", async () => {
    const base = await visitorHash("s", DAY, "203.0.113.7", UA.chrome);
    const others = await Promise.all([
      visitorHash("s", DAY + DAY_MS, "203.0.113.7", UA.chrome),
      visitorHash("s", DAY - 1, "203.0.113.7", UA.chrome),
      visitorHash("s", DAY, "203.0.113.8", UA.chrome),
      visitorHash("s", DAY, "203.0.113.7", UA.firefox),
      visitorHash("t", DAY, "203.0.113.7", UA.chrome),
    ]);
    for (const other of others) expect(other).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });
});

describe("referrerHost", () => {
  it.each([
    ["", "direct"],
    ["https://WWW.Example.com/some/path?q=1", "www.example.com"],
    ["http://news.ycombinator.com", "news.ycombinator.com"],
    ["android-app://com.google.android.gm/", "com.google.android.gm"],
    ["not a url", "unknown"],
    ["file:///etc/passwd", "unknown"],
    ["mailto:someone@example.com", "unknown"],
  ])("%j → %s", (referrer, host) => {
    expect(referrerHost(referrer)).toBe(host);
  });
});

describe("describeAgent", () => {
  it.each([
    ["Chrome on Windows", UA.chrome, { browser: "Chrome", os: "Windows", device: "desktop", isBot: false }],
    ["Firefox on Linux", UA.firefox, { browser: "Firefox", os: "Linux", device: "desktop", isBot: false }],
    ["Safari on iPhone", UA.iphone, { browser: "Safari", os: "iOS", device: "mobile", isBot: false }],
    ["Googlebot", UA.googlebot, { browser: "Googlebot", os: "unknown", device: "bot", isBot: true }],
    ["curl", "curl/8.5.0", { browser: "unknown", os: "unknown", device: "bot", isBot: true }],
    ["nothing", "", { browser: "unknown", os: "unknown", device: "unknown", isBot: false }],
  ])("%s", (_name, ua, expected) => {
    expect(describeAgent(ua)).toEqual(expected);
  });
});

describe("toVisitRow", () => {
  const event: VisitEvent = {
    code: "abc2345",
    ts: DAY + 5000,
    ip: "198.51.100.1",
    userAgent: UA.iphone,
    referrer: "https://t.co/xyz",
    country: "de",
  };

  it("keeps no IP, only the salted hash, and describes the visit", async () => {
    const row = await toVisitRow(event, "secret");
    expect(row).toEqual({
      code: "abc2345",
      ts: DAY + 5000,
      isBot: false,
      visitor: await visitorHash("secret", event.ts, event.ip, event.userAgent),
      referrer: "t.co",
      country: "DE",
      browser: "Safari",
      os: "iOS",
      device: "mobile",
    });
    expect(JSON.stringify(row)).not.toContain("198.51.100.1");
  });

  it.each([
    ["us", "US"],
    ["GB", "GB"],
    ["", "unknown"],
    ["USA", "unknown"],
    ["1A", "unknown"],
    ["X", "unknown"],
    ["é1", "unknown"],
  ])("normalizes country %j to %s", async (country, expected) => {
    expect((await toVisitRow({ ...event, country }, "s")).country).toBe(expected);
  });

  it("marks bots", async () => {
    const row = await toVisitRow({ ...event, userAgent: UA.googlebot, referrer: "" }, "s");
    expect(row).toMatchObject({ isBot: true, device: "bot", referrer: "direct" });
  });
});

describe("buildSeries", () => {
  const HOUR = INTERVAL_MS.hour;

  it("fills gaps with zeros, bucket-aligned, from through to inclusive", () => {
    const series = buildSeries(
      [
        { bucket: DAY + HOUR, visits: 3, humans: 2 },
        { bucket: DAY + 3 * HOUR, visits: 1, humans: 1 },
      ],
      DAY,
      DAY + 3 * HOUR,
      "hour",
    );
    expect(series).toEqual([
      { start: "2024-05-01T00:00:00.000Z", visits: 0, humans: 0 },
      { start: "2024-05-01T01:00:00.000Z", visits: 3, humans: 2 },
      { start: "2024-05-01T02:00:00.000Z", visits: 0, humans: 0 },
      { start: "2024-05-01T03:00:00.000Z", visits: 1, humans: 1 },
    ]);
  });

  it("aligns an unaligned start down to its bucket", () => {
    const series = buildSeries(
      [{ bucket: DAY, visits: 5, humans: 5 }],
      DAY + 17 * HOUR + 123,
      DAY + 2 * DAY_MS,
      "day",
    );
    expect(series.map((b) => b.start)).toEqual([
      "2024-05-01T00:00:00.000Z",
      "2024-05-02T00:00:00.000Z",
      "2024-05-03T00:00:00.000Z",
    ]);
    expect(series[0]).toMatchObject({ visits: 5, humans: 5 });
  });

  it("is one bucket when from and to share it, and ignores counts outside the range", () => {
    const series = buildSeries([{ bucket: DAY - DAY_MS, visits: 9, humans: 9 }], DAY + 1, DAY + 2, "day");
    expect(series).toEqual([{ start: "2024-05-01T00:00:00.000Z", visits: 0, humans: 0 }]);
  });

  it("is empty when from is after to", () => {
    expect(buildSeries([], DAY + DAY_MS, DAY, "day")).toEqual([]);
  });

  it("stops at MAX_BUCKETS", () => {
    const series = buildSeries([], 0, (MAX_BUCKETS + 500) * HOUR, "hour");
    expect(series).toHaveLength(MAX_BUCKETS);
    expect(series.at(-1)?.start).toBe(new Date((MAX_BUCKETS - 1) * HOUR).toISOString());
  });
});
