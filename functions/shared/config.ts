import { z } from "zod";

/**
 * Every environment variable the platform reads, with its default and meaning. Both runtimes parse the
 * same schema (process.env on Node, the Worker's `env` on the edge); README's configuration table is
 * checked against it by a test.
 */
const int = (def: number) => z.coerce.number().int().min(0).default(def);
const positiveInt = (def: number) => z.coerce.number().int().min(1).default(def);
const list = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  );

const variables = z.object({
  HOST: z.string().default("0.0.0.0").describe("Interface the Node services listen on."),
  TINYURL_PORT: int(5000).describe("Port of the TinyURL service."),
  DOCS_PORT: int(5002).describe("Port of the Docs service."),
  NEWSFEED_PORT: int(5001).describe("Port of the Newsfeed service."),
  SERVICES: list.describe(
    "Comma-separated services `npm start` runs (`tinyurl`, `newsfeed`, `docs`); empty = all of them.",
  ),
  SERVICE: z
    .string()
    .optional()
    .transform((s) => s?.trim().toLowerCase() || undefined)
    .describe("The one service to run (the container image's selector); same as `SERVICES=<name>`."),
  DATA_DIR: z.string().default("./data").describe("Folder of the embedded libSQL files (`<service>.db`)."),
  DATABASE_URL: z
    .string()
    .optional()
    .describe("libSQL URL (`file:`, `libsql://`, `http(s)://`) overriding the embedded file."),
  DATABASE_AUTH_TOKEN: z.string().optional().describe("Auth token for a remote libSQL server."),
  REDIS_URL: z
    .string()
    .optional()
    .describe("Redis URL; when set, cache, rate limits and invalidations are shared by every replica."),
  AUTH_SECRET: z
    .string()
    .default("canary-dev-secret-change-me")
    .describe("HS256 secret for bearer tokens. Must be set in production."),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info").describe("Log threshold."),
  APP_VERSION: z.string().default("dev").describe("Release label added to every metric (`version`)."),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Origin used in short URLs (e.g. `https://sho.rt`); defaults to the request's origin."),
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Take the client IP from `X-Forwarded-For` (only behind a trusted proxy)."),
  COUNTRY_HEADER: z
    .string()
    .default("cf-ipcountry")
    .transform((s) => s.toLowerCase())
    .describe("Request header holding the visitor's country code (set by the CDN or ingress)."),
  RATE_LIMIT_API: int(100).describe("Requests per window per IP on `POST /shorten` and `/api/*`."),
  RATE_LIMIT_REDIRECT: int(1200).describe("Redirects per window per IP."),
  RATE_LIMIT_DOCS: int(1200).describe(
    "Docs API requests per window per signed-in user (per IP when anonymous).",
  ),
  RATE_LIMIT_NEWSFEED: int(1200).describe(
    "Newsfeed API requests per window per signed-in user (per IP when anonymous).",
  ),
  DOCS_OPS_PER_SECOND: int(30).describe(
    "Ops one Docs WebSocket connection may send per second (bursts of twice that).",
  ),
  RATE_LIMIT_WINDOW_SECONDS: int(60).describe("Rate-limit window in seconds."),
  RATE_LIMIT_ALGORITHM: z
    .enum(["fixed", "sliding"])
    .default("sliding")
    .describe("`fixed` or `sliding` window."),
  TINYURL_BLOCKED_HOSTS: list.describe(
    "Comma-separated hosts (and their subdomains) that may not be shortened.",
  ),
  CACHE_TTL_SECONDS: int(300).describe("How long a redirect lookup stays cached."),
  VISIT_FLUSH_MS: int(1000).describe("How often buffered visits are written (Node)."),
  VISIT_BATCH_SIZE: int(500).describe("Buffered visits that trigger an immediate write (Node)."),
  SHUTDOWN_TIMEOUT_SECONDS: int(20).describe(
    "On SIGTERM, how long in-flight requests and buffered writes may take before the process exits anyway.",
  ),
  VISITOR_SALT: z
    .string()
    .optional()
    .describe("Secret mixed into daily visitor hashes; defaults to one derived from AUTH_SECRET."),
  FEED_ALLOWLIST: list.describe(
    "Comma-separated hosts, addresses or CIDRs feeds may come from despite the SSRF rules (dev, tests).",
  ),
  FEED_MAX_BYTES: positiveInt(5_242_880).describe(
    "Largest feed body fetched, in bytes (after decompression).",
  ),
  FEED_TIMEOUT_SECONDS: positiveInt(15).describe(
    "Time allowed for one feed fetch, redirects and body included.",
  ),
  FEED_MAX_FAILURES: int(10).describe(
    "Consecutive failed checks after which a feed is disabled (0 = never).",
  ),
  FEED_HOST_CONCURRENCY: positiveInt(2).describe(
    "Feed fetches in flight to one host at a time (per replica).",
  ),
  FEED_CONCURRENCY: positiveInt(8).describe("Feed checks in flight at a time (per replica)."),
  FAULT_ERROR_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      "Fault switch for rollout demos: share (0..1) of requests answered 500 (not probes or `/metrics`). Refused when `NODE_ENV=production`.",
    ),
  FAULT_LATENCY_MS: int(0).describe(
    "Fault switch for rollout demos: delay added to every request (not probes or `/metrics`). Refused when `NODE_ENV=production`.",
  ),
});

export const configSchema = variables
  // SERVICE (one image, one service per container) and SERVICES (`npm start`) select the same thing, so
  // both set means two sources of truth: refuse unless they name exactly the same service.
  .superRefine((config, ctx) => {
    const { SERVICE, SERVICES } = config;
    if (SERVICE && SERVICES.length > 0 && (SERVICES.length !== 1 || SERVICES[0] !== SERVICE)) {
      ctx.addIssue({
        code: "custom",
        path: ["SERVICE"],
        message: `"${SERVICE}" disagrees with SERVICES="${SERVICES.join(",")}"; set only one of them`,
      });
    }
  })
  // Fold SERVICE into SERVICES, the one list the Node entry point reads.
  .overwrite((config) =>
    config.SERVICE && config.SERVICES.length === 0 ? { ...config, SERVICES: [config.SERVICE] } : config,
  );

export type Config = z.infer<typeof configSchema>;

/** Development-only switches, refused in production (NODE_ENV is the runtime's, not in the schema). */
function productionProblems(config: Config, env: Record<string, unknown>): string[] {
  if (env.NODE_ENV !== "production") return [];
  return (["FAULT_ERROR_RATE", "FAULT_LATENCY_MS"] as const)
    .filter((name) => config[name] !== 0)
    .map((name) => `${name}: the fault switch is refused when NODE_ENV=production`);
}

export function loadConfig(env: Record<string, unknown>): Config {
  const parsed = configSchema.safeParse(env);
  const problems = parsed.success
    ? productionProblems(parsed.data, env)
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  if (!parsed.success || problems.length > 0) {
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}
