/**
 * Newsfeed's contract against the Worker on workerd: the entry (functions/worker.ts) routes Newsfeed's
 * paths to it, its data is the SqlDatabase object named "newsfeed" (wrangler.toml + vitest.config.mts).
 * The seed feeds live at a reserved `.test` host: the Worker runs in this isolate, so its global fetch is
 * stubbed here for that host only (other URLs go out as usual). Nothing in the Worker knows about it.
 */
import { env, exports } from "cloudflare:workers";
import { afterAll, vi } from "vitest";
import { newsfeedContract } from "./contract.ts";

const FEED_ORIGIN = "https://feeds.contract.test";
const served = new Map<string, { body: string; contentType: string }>();
const realFetch = globalThis.fetch;
const stub = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith(`${FEED_ORIGIN}/`)) return realFetch(input, init);
  const doc = served.get(new URL(url).pathname);
  return Promise.resolve(
    doc
      ? new Response(doc.body, { headers: { "content-type": doc.contentType } })
      : new Response("not found", { status: 404 }),
  );
});
afterAll(() => stub.mockRestore());

newsfeedContract((request) => exports.default.fetch(request), {
  baseUrl: "https://newsfeed.test",
  authSecret: String(env.AUTH_SECRET),
  async serveFeed(name, body, contentType) {
    served.set(`/${name}`, { body, contentType });
    return `${FEED_ORIGIN}/${name}`;
  },
});
