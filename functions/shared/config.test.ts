import { describe, expect, it } from "vitest";
import { configSchema, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("fills every default from an empty environment", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: "0.0.0.0",
      TINYURL_PORT: 5000,
      SERVICES: [],
      DATA_DIR: "./data",
      AUTH_SECRET: "canary-dev-secret-change-me",
      LOG_LEVEL: "info",
      APP_VERSION: "dev",
      TRUST_PROXY: false,
      COUNTRY_HEADER: "cf-ipcountry",
      RATE_LIMIT_API: 100,
      RATE_LIMIT_REDIRECT: 1200,
      RATE_LIMIT_WINDOW_SECONDS: 60,
      RATE_LIMIT_ALGORITHM: "sliding",
      TINYURL_BLOCKED_HOSTS: [],
      CACHE_TTL_SECONDS: 300,
      VISIT_FLUSH_MS: 1000,
      VISIT_BATCH_SIZE: 500,
    });
    for (const optional of [
      "DATABASE_URL",
      "DATABASE_AUTH_TOKEN",
      "REDIS_URL",
      "PUBLIC_URL",
      "VISITOR_SALT",
      "SERVICE",
    ] as const) {
      expect(config[optional]).toBeUndefined();
    }
  });

  it("coerces and normalizes environment strings", () => {
    const config = loadConfig({
      TINYURL_PORT: "0",
      RATE_LIMIT_API: "5",
      SERVICES: " TinyURL , docs,,",
      TINYURL_BLOCKED_HOSTS: "Evil.example, bad.test",
      TRUST_PROXY: "true",
      COUNTRY_HEADER: "X-Country",
      RATE_LIMIT_ALGORITHM: "fixed",
      LOG_LEVEL: "silent",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    expect(config.TINYURL_PORT).toBe(0);
    expect(config.RATE_LIMIT_API).toBe(5);
    expect(config.SERVICES).toEqual(["tinyurl", "docs"]);
    expect(config.TINYURL_BLOCKED_HOSTS).toEqual(["evil.example", "bad.test"]);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.COUNTRY_HEADER).toBe("x-country");
    expect(config.RATE_LIMIT_ALGORITHM).toBe("fixed");
    expect(config.REDIS_URL).toBe("redis://127.0.0.1:6379");
  });

  describe("SERVICE", () => {
    it("selects one service, normalized like SERVICES", () => {
      const config = loadConfig({ SERVICE: " Docs " });
      expect(config.SERVICE).toBe("docs");
      expect(config.SERVICES).toEqual(["docs"]);
    });

    it("counts as unset when empty", () => {
      const config = loadConfig({ SERVICE: " " });
      expect(config.SERVICE).toBeUndefined();
      expect(config.SERVICES).toEqual([]);
    });

    it("may repeat the one service SERVICES names", () => {
      expect(loadConfig({ SERVICE: "tinyurl", SERVICES: "TinyURL" }).SERVICES).toEqual(["tinyurl"]);
    });

    it.each([
      ["newsfeed", "tinyurl"],
      ["docs", "docs,tinyurl"],
    ])("refuses SERVICE=%s with SERVICES=%s", (service, services) => {
      expect(() => loadConfig({ SERVICE: service, SERVICES: services })).toThrow(
        /^Invalid configuration: SERVICE: .*disagrees with SERVICES/,
      );
    });

    it("leaves SERVICES alone when unset", () => {
      expect(loadConfig({ SERVICES: "newsfeed,docs" }).SERVICES).toEqual(["newsfeed", "docs"]);
    });
  });

  describe("fault switch", () => {
    it("is off by default", () => {
      expect(loadConfig({})).toMatchObject({ FAULT_ERROR_RATE: 0, FAULT_LATENCY_MS: 0 });
    });

    it("reads a share and a delay", () => {
      expect(loadConfig({ FAULT_ERROR_RATE: "0.3", FAULT_LATENCY_MS: "250" })).toMatchObject({
        FAULT_ERROR_RATE: 0.3,
        FAULT_LATENCY_MS: 250,
      });
    });

    it.each([
      ["FAULT_ERROR_RATE", "1.5"],
      ["FAULT_ERROR_RATE", "-0.1"],
      ["FAULT_LATENCY_MS", "-5"],
    ])("refuses %s=%s", (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
    });

    it("is refused when NODE_ENV=production, naming each variable set", () => {
      expect(() =>
        loadConfig({ NODE_ENV: "production", FAULT_ERROR_RATE: "0.3", FAULT_LATENCY_MS: "10" }),
      ).toThrow(
        /^Invalid configuration: FAULT_ERROR_RATE: .*NODE_ENV=production; FAULT_LATENCY_MS: .*NODE_ENV=production$/,
      );
      expect(() => loadConfig({ NODE_ENV: "production", FAULT_LATENCY_MS: "10" })).toThrow(
        /^Invalid configuration: FAULT_LATENCY_MS: /,
      );
    });

    it("may stay at zero in production, and be on elsewhere", () => {
      expect(loadConfig({ NODE_ENV: "production", FAULT_ERROR_RATE: "0" }).FAULT_ERROR_RATE).toBe(0);
      expect(loadConfig({ NODE_ENV: "development", FAULT_ERROR_RATE: "1" }).FAULT_ERROR_RATE).toBe(1);
    });
  });

  it("ignores variables it does not know", () => {
    expect(() => loadConfig({ PATH: "/usr/bin", HOME: "/root" })).not.toThrow();
  });

  it.each([
    ["TINYURL_PORT", "abc"],
    ["TINYURL_PORT", "-1"],
    ["RATE_LIMIT_API", "1.5"],
    ["LOG_LEVEL", "loud"],
    ["RATE_LIMIT_ALGORITHM", "token-bucket"],
    ["TRUST_PROXY", "yes"],
  ])("names the variable when %s=%s is invalid", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });

  it("lists every problem at once", () => {
    let message = "";
    try {
      loadConfig({ TINYURL_PORT: "x", LOG_LEVEL: "loud" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TINYURL_PORT: .*; LOG_LEVEL: /);
  });

  it("documents every variable", () => {
    for (const [name, schema] of Object.entries(configSchema.shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
});
