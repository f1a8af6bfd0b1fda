/**
 * The HTTP contract against TinyURL on workerd: the Worker entry (functions/worker.ts) with its Durable
 * Objects, configured by wrangler.toml plus the test bindings in vitest.config.mts.
 */
import { env, exports } from "cloudflare:workers";
import { tinyUrlContract } from "./contract.ts";

tinyUrlContract((request) => exports.default.fetch(request), {
  baseUrl: "https://tinyurl.test",
  authSecret: String(env.AUTH_SECRET),
  apiLimit: Number(env.RATE_LIMIT_API),
  clientIpHeader: "cf-connecting-ip",
});
