import { describe, expect, it } from "vitest";
import { systemResolver } from "./resolve-node.ts";
import {
  addressRange,
  checkFeedUrl,
  EMPTY_ALLOWLIST,
  isAddressAllowed,
  parseAllowlist,
  type Resolver,
  resolveAllowed,
} from "./ssrf.ts";

/** A DNS stand-in: name → addresses; unknown names fail like getaddrinfo does. */
function fakeDns(table: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

describe("isAddressAllowed", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["100.64.0.1", "carrierGradeNat"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "linkLocal"],
    ["fc00::1", "uniqueLocal"],
    ["fd12:3456::1", "uniqueLocal"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "ipv4Mapped"],
    ["::ffff:8.8.8.8", "ipv4Mapped"],
    ["64:ff9b::a00:1", "rfc6052"],
    ["2002:a00:1::", "6to4"],
    ["2001:db8::1", "reserved"],
  ])("refuses %s (%s) by default", (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isAddressAllowed(address, EMPTY_ALLOWLIST)).toBe(false);
  });

  it.each(["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"])(
    "accepts the public address %s",
    (address) => {
      expect(isAddressAllowed(address, EMPTY_ALLOWLIST)).toBe(true);
    },
  );

  it("refuses what is not an address at all", () => {
    expect(addressRange("example.com")).toBeNull();
    expect(isAddressAllowed("example.com", EMPTY_ALLOWLIST)).toBe(false);
  });

  it("accepts an allowlisted address or range, and the IPv4-mapped spelling of an allowlisted IPv4", () => {
    const allowlist = parseAllowlist(["127.0.0.1", "10.0.0.0/8", "[::1]"]);
    expect(isAddressAllowed("127.0.0.1", allowlist)).toBe(true);
    expect(isAddressAllowed("127.0.0.2", allowlist)).toBe(false);
    expect(isAddressAllowed("10.200.3.4", allowlist)).toBe(true);
    expect(isAddressAllowed("11.0.0.1", allowlist)).toBe(true); // public anyway
    expect(isAddressAllowed("192.168.0.1", allowlist)).toBe(false);
    expect(isAddressAllowed("::1", allowlist)).toBe(true);
    expect(isAddressAllowed("::ffff:127.0.0.1", allowlist)).toBe(true);
    expect(isAddressAllowed("::ffff:192.168.0.1", allowlist)).toBe(false);
    expect(isAddressAllowed("fe80::1", allowlist)).toBe(false);
  });
});

describe("parseAllowlist", () => {
  it("sorts entries into host names and ranges, normalised", () => {
    const allowlist = parseAllowlist(["Feeds.Local.", " localhost ", "", "fd00::/8", "192.168.0.0/16"]);
    expect([...allowlist.hosts]).toEqual(["feeds.local", "localhost"]);
    expect(allowlist.ranges.map(([net, bits]) => `${net.toString()}/${bits}`)).toEqual([
      "fd00::/8",
      "192.168.0.0/16",
    ]);
  });

  it.each(["http://example.com", "10.0.0.0/33", "bad host", "a..b"])("rejects the entry %j", (entry) => {
    expect(() => parseAllowlist([entry])).toThrow(/FEED_ALLOWLIST/);
  });
});

describe("checkFeedUrl", () => {
  it("accepts absolute http and https URLs, and resolves relative ones against a base", () => {
    expect(checkFeedUrl("https://example.com/feed.xml")).toMatchObject({ ok: true });
    const relative = checkFeedUrl("/atom", "http://example.com/blog/");
    expect(relative.ok && relative.url.href).toBe("http://example.com/atom");
  });

  it.each([
    "ftp://example.com/feed",
    "file:///etc/passwd",
    "gopher://example.com/",
    "javascript:alert(1)",
    "data:,x",
  ])("refuses the scheme of %s", (url) => {
    expect(checkFeedUrl(url)).toMatchObject({ ok: false, reason: "unsupported_scheme" });
  });

  it("refuses garbage and URLs carrying credentials", () => {
    expect(checkFeedUrl("not a url")).toMatchObject({ ok: false, reason: "invalid_url" });
    expect(checkFeedUrl("http://user:secret@example.com/")).toMatchObject({
      ok: false,
      reason: "invalid_url",
    });
  });

  it("normalises numeric spellings of an address, so they meet the same rules", () => {
    const decimal = checkFeedUrl("http://2130706433/feed");
    const hex = checkFeedUrl("http://0x7f.1/feed");
    expect(decimal.ok && decimal.url.hostname).toBe("127.0.0.1");
    expect(hex.ok && hex.url.hostname).toBe("127.0.0.1");
  });
});

describe("resolveAllowed", () => {
  const dns = fakeDns({
    "public.test": ["93.184.216.34", "2606:2800:220:1::1"],
    "private.test": ["10.0.0.7"],
    "mixed.test": ["93.184.216.34", "127.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "dev.test": ["127.0.0.1", "::1"],
    "empty.test": [],
    localhost: ["127.0.0.1"],
  });

  it("returns every address of a public name", async () => {
    expect(await resolveAllowed("public.test", EMPTY_ALLOWLIST, dns)).toEqual({
      ok: true,
      addresses: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1::1", family: 6 },
      ],
    });
  });

  it.each(["private.test", "metadata.test", "mixed.test", "dev.test"])(
    "refuses %s: one non-public address is enough",
    async (host) => {
      expect(await resolveAllowed(host, EMPTY_ALLOWLIST, dns)).toMatchObject({
        ok: false,
        reason: "blocked_address",
      });
    },
  );

  it.each(["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "::1", "[::ffff:7f00:1]"])(
    "refuses the literal %s without asking DNS",
    async (host) => {
      const result = await resolveAllowed(host, EMPTY_ALLOWLIST, () => {
        throw new Error("DNS must not be asked about an address");
      });
      expect(result).toMatchObject({ ok: false, reason: "blocked_address" });
    },
  );

  it("refuses localhost names before resolving them", async () => {
    for (const host of ["localhost", "LOCALHOST.", "app.localhost"]) {
      expect(await resolveAllowed(host, EMPTY_ALLOWLIST, dns)).toMatchObject({
        ok: false,
        reason: "blocked_address",
        message: expect.stringContaining("loopback name"),
      });
    }
  });

  it("reports names that do not resolve, or resolve to nothing, as DNS failures", async () => {
    expect(await resolveAllowed("nowhere.test", EMPTY_ALLOWLIST, dns)).toMatchObject({
      ok: false,
      reason: "dns",
      message: expect.stringContaining("ENOTFOUND"),
    });
    expect(await resolveAllowed("empty.test", EMPTY_ALLOWLIST, dns)).toMatchObject({
      ok: false,
      reason: "dns",
    });
  });

  it("lets an allowlisted name through whatever it resolves to, and only that exact name", async () => {
    const allowlist = parseAllowlist(["dev.test", "localhost"]);
    expect(await resolveAllowed("dev.test", allowlist, dns)).toMatchObject({ ok: true });
    expect(await resolveAllowed("localhost", allowlist, dns)).toMatchObject({
      ok: true,
      addresses: [{ address: "127.0.0.1", family: 4 }],
    });
    expect(await resolveAllowed("private.test", allowlist, dns)).toMatchObject({ ok: false });
    expect(await resolveAllowed("app.localhost", allowlist, dns)).toMatchObject({ ok: false });
  });

  it("lets allowlisted ranges through under any name", async () => {
    const allowlist = parseAllowlist(["10.0.0.0/24"]);
    expect(await resolveAllowed("private.test", allowlist, dns)).toMatchObject({ ok: true });
    expect(await resolveAllowed("10.0.0.200", allowlist, dns)).toEqual({
      ok: true,
      addresses: [{ address: "10.0.0.200", family: 4 }],
    });
    expect(await resolveAllowed("metadata.test", allowlist, dns)).toMatchObject({ ok: false });
  });

  it("asks the system resolver by default", async () => {
    const found = await systemResolver("127.0.0.1");
    expect(found).toEqual([{ address: "127.0.0.1", family: 4 }]);
    expect(await resolveAllowed("localhost", parseAllowlist(["localhost"]), systemResolver)).toMatchObject({
      ok: true,
    });
  });
});
