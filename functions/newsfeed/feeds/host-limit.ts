/**
 * A per-host concurrency limit (FEED_HOST_CONCURRENCY): at most `perHost` fetches to one host at a time,
 * so a site hosting many feeds is never hit by all of them at once. An async semaphore per host name, kept
 * only while the host has holders or waiters; waiters are served first come, first served. Per process:
 * with several replicas each one applies it separately.
 */
export type Release = () => void;

interface HostSlots {
  active: number;
  waiters: (() => void)[];
}

export class HostLimiter {
  readonly #hosts = new Map<string, HostSlots>();

  constructor(readonly perHost: number) {
    if (!Number.isSafeInteger(perHost) || perHost < 1)
      throw new RangeError(`per-host concurrency must be a positive integer, got ${perHost}`);
  }

  /** A slot for `host` now, or null if all of its slots are taken (for callers that would rather skip). */
  tryAcquire(host: string): Release | null {
    const slots = this.#slots(host);
    if (slots.active >= this.perHost || slots.waiters.length > 0) return null;
    slots.active++;
    return this.#releaser(host, slots);
  }

  /** Waits for a slot for `host`. Call the returned function exactly once when done. */
  acquire(host: string): Promise<Release> {
    const now = this.tryAcquire(host);
    if (now) return Promise.resolve(now);
    const slots = this.#slots(host);
    return new Promise((resolve) => {
      // release() hands its slot straight to the first waiter (active stays the same).
      slots.waiters.push(() => resolve(this.#releaser(host, slots)));
    });
  }

  /** Runs `task` inside one of `host`'s slots. */
  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    const release = await this.acquire(host);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Slots of `host` in use. */
  active(host: string): number {
    return this.#hosts.get(host.toLowerCase())?.active ?? 0;
  }

  /** Callers waiting for a slot of `host`. */
  waiting(host: string): number {
    return this.#hosts.get(host.toLowerCase())?.waiters.length ?? 0;
  }

  /** Hosts currently tracked (with a holder or a waiter). */
  get size(): number {
    return this.#hosts.size;
  }

  #slots(host: string): HostSlots {
    const key = host.toLowerCase();
    let slots = this.#hosts.get(key);
    if (!slots) {
      slots = { active: 0, waiters: [] };
      this.#hosts.set(key, slots);
    }
    return slots;
  }

  #forgetIfIdle(host: string, slots: HostSlots): void {
    if (slots.active === 0 && slots.waiters.length === 0) this.#hosts.delete(host.toLowerCase());
  }

  #releaser(host: string, slots: HostSlots): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.waiters.shift();
      if (next) next();
      else {
        slots.active--;
        this.#forgetIfIdle(host, slots);
      }
    };
  }
}
