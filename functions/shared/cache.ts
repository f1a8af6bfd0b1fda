/**
 * The cache port: string values with a TTL. `delete` must invalidate the key on every replica that may
 * hold it (the Redis adapter broadcasts; the in-process one only has itself).
 */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * A bounded LRU with per-entry TTL. A Map keeps insertion order, so re-inserting on read makes the
 * first key the least recently used one.
 */
export class LruCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The Cache port over one process's LRU. */
export function memoryCache(maxEntries?: number, now?: () => number): Cache & { lru: LruCache } {
  const lru = new LruCache(maxEntries, now);
  return {
    lru,
    get: async (key) => lru.get(key),
    set: async (key, value, ttl) => lru.set(key, value, ttl),
    delete: async (key) => lru.delete(key),
  };
}
