import type { Cache } from "../shared/cache.ts";
import type { LinkRecord } from "./links.ts";
import type { LinkStore } from "./store.ts";

/** Unknown codes are cached briefly too, so a scan of random codes does not reach the database each time. */
const MISSING = "-";
const MISSING_TTL_SECONDS = 30;

/** Read-through cache of link records for the redirect path. Writers call `invalidate` after a change. */
export class LinkLookup {
  constructor(
    private readonly store: LinkStore,
    private readonly cache: Cache,
    private readonly ttlSeconds: number,
  ) {}

  async get(code: string): Promise<LinkRecord | undefined> {
    const key = `link:${code}`;
    const hit = await this.cache.get(key);
    if (hit === MISSING) return undefined;
    if (hit !== undefined) return JSON.parse(hit) as LinkRecord;
    const link = await this.store.get(code);
    if (this.ttlSeconds > 0) {
      await this.cache.set(
        key,
        link ? JSON.stringify(link) : MISSING,
        link ? this.ttlSeconds : Math.min(this.ttlSeconds, MISSING_TTL_SECONDS),
      );
    }
    return link;
  }

  /** Drops the code from every replica's cache. */
  invalidate(code: string): Promise<void> {
    return this.cache.delete(`link:${code}`);
  }
}
