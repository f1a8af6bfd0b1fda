/**
 * Steady demo traffic for a local rollout: `rps` GET requests a second to the service through its proxy,
 * so the analysis has something to measure and the console something to draw (a cluster has real users).
 * 127.0.0.1 only, a bounded number in flight, and it stops with the engine.
 */
export interface LoadOptions {
  /** The proxy's origin, e.g. http://127.0.0.1:5000. */
  url: string;
  /** Requests per second (0 = none). */
  rps: number;
  /** Paths to cycle through (default "/"). */
  paths?: string[];
  /** Requests in flight at most; the rest of a tick is skipped (default 50). */
  maxInFlight?: number;
}

const TICK_MS = 100;

export class SteadyLoad {
  readonly #options: Required<LoadOptions>;
  #timer?: NodeJS.Timeout;
  #inFlight = 0;
  #next = 0;
  #carry = 0;
  sent = 0;

  constructor(options: LoadOptions) {
    const origin = new URL(options.url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(origin.hostname))
      throw new Error(`demo traffic goes to this machine only, not ${origin.hostname}`);
    this.#options = { paths: ["/"], maxInFlight: 50, ...options };
  }

  start(): void {
    if (this.#options.rps <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    // Fractional requests carry over, so 5 rps sends one every other tick.
    this.#carry += (this.#options.rps * TICK_MS) / 1000;
    for (; this.#carry >= 1; this.#carry--) {
      if (this.#inFlight >= this.#options.maxInFlight) continue;
      const paths = this.#options.paths;
      const path = paths[this.#next++ % paths.length]!;
      this.#inFlight++;
      this.sent++;
      fetch(new URL(path, this.#options.url), { signal: AbortSignal.timeout(10_000) })
        .then((res) => res.arrayBuffer())
        .catch(() => {}) // the proxy counts failures; the generator only keeps the pace
        .finally(() => {
          this.#inFlight--;
        });
    }
  }
}
