/**
 * One service at one version as local processes of functions/start.ts: the local counterpart of a
 * ReplicaSet's pods. Each replica listens on its own 127.0.0.1 port and writes its output to a log file
 * under the run directory; readiness is its `/readyz`. A replica that crashes or never gets ready is
 * replaced after a growing delay, as Kubernetes restarts a crash-looping pod.
 */
import type { ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../../functions/shared/net.ts";
import { podTemplateHash } from "./pod-template-hash.ts";
import { logTail, SERVICE_PORT_VARIABLES, spawnReplica } from "./replica-process.ts";

export { SERVICE_PORT_VARIABLES } from "./replica-process.ts";

export interface Replica {
  /** Pod-like name: `<namePrefix>-<5 characters>`. */
  name: string;
  version: string;
  url: string;
  port: number;
  /** 0 until the process is spawned. */
  pid: number;
  ready: boolean;
  logFile: string;
}

export interface ReplicaSetOptions {
  service: string;
  version: string;
  /** DATA_DIR, shared by every replica of the service at every version, as pods share one database. */
  dataDir: string;
  /** Folder of the replicas' log files (e.g. `.canary/rollouts/<run-id>`). */
  runDir: string;
  /**
   * The user's variables (`--env K=V`): over the inherited environment and the defaults (DATA_DIR,
   * LOG_LEVEL=warn, TRUST_PROXY=true), under the ones the set controls (SERVICE, the port, HOST, APP_VERSION).
   */
  env?: Record<string, string>;
  /** Default functions/start.ts (run through tsx); anything else (dist/start.mjs) runs as plain node. */
  entry?: string;
  /** Default the repository root. */
  cwd?: string;
  /** Default `<service>-<podTemplateHash(version)>`, like a ReplicaSet's pods. */
  namePrefix?: string;
  /** How long a replica may take to stop after SIGTERM before it gets SIGKILL (default 10 s). */
  gracePeriodMs?: number;
  /** A replica not ready by then is killed and replaced (default 60 s). */
  readyTimeoutMs?: number;
  /** Between readiness probes (default 100 ms). */
  probeIntervalMs?: number;
  /** Replicas were added, removed, or got ready. Called before a removed replica is signalled. */
  onChange?: (set: ReplicaSet) => void;
  /** A replica crashed or never got ready (it is being replaced). */
  onFailure?: (replica: Replica, reason: string) => void;
}

interface Member {
  replica: Replica;
  child?: ChildProcess;
  stopping: boolean;
  /** Resolves once the process is gone (or was never spawned). */
  gone: Promise<void>;
  markGone: () => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

const MAX_RESTART_DELAY_MS = 10_000;
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export class ReplicaSet {
  readonly service: string;
  readonly version: string;
  #options: ReplicaSetOptions;
  #members: Member[] = [];
  #desired = 0;
  #stopped = false;
  #failuresInARow = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #waiters: Waiter[] = [];

  constructor(options: ReplicaSetOptions) {
    if (!SERVICE_PORT_VARIABLES[options.service]) {
      throw new Error(
        `unknown service "${options.service}" (known: ${Object.keys(SERVICE_PORT_VARIABLES).join(", ")})`,
      );
    }
    this.service = options.service;
    this.version = options.version;
    this.#options = options;
    mkdirSync(options.runDir, { recursive: true });
  }

  get desired(): number {
    return this.#desired;
  }

  /** Replicas answering their readiness probe. */
  get ready(): number {
    return this.replicas().filter((r) => r.ready).length;
  }

  /** The replicas that are starting or running (not those being stopped). */
  replicas(): Replica[] {
    return this.#members.filter((m) => !m.stopping).map((m) => ({ ...m.replica }));
  }

  /** URLs of the ready replicas: the proxy's backends for this version. */
  readyUrls(): string[] {
    return this.replicas()
      .filter((r) => r.ready)
      .map((r) => r.url);
  }

  /**
   * Runs `count` replicas: starts the missing ones, stops the extra ones (those not ready first, then the
   * newest). Resolves once `count` are ready and the extra ones have exited; rejects if a replica fails
   * meanwhile (it is still replaced in the background).
   */
  scale(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`invalid replica count ${count}`);
    if (this.#stopped) return Promise.reject(new Error(`replica set ${this.version} is stopped`));
    this.#desired = count;
    const settled = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#reconcile();
    return settled;
  }

  /** Stops every replica (SIGTERM, SIGKILL after the grace period); the set cannot be scaled again. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#desired = 0;
    clearTimeout(this.#restartTimer);
    const members = [...this.#members];
    this.#stopMembers(members);
    await Promise.all(members.map((m) => m.gone));
  }

  #reconcile(): void {
    if (this.#stopped) return;
    const running = this.#members.filter((m) => !m.stopping);
    if (running.length > this.#desired) {
      const victims = [...running]
        .reverse()
        .sort((a, b) => Number(a.replica.ready) - Number(b.replica.ready))
        .slice(0, running.length - this.#desired);
      this.#stopMembers(victims);
    } else if (running.length < this.#desired && !this.#restartTimer) {
      // Until one replica is ready, only one starts: it creates and migrates the shared database alone
      // (replicas opening a new database file at once can find it locked).
      const target = running.some((m) => m.replica.ready) ? this.#desired : 1;
      for (let i = running.length; i < target; i++) void this.#launch(this.#addMember());
      if (running.length < target) this.#changed();
    }
    this.#checkSettled();
  }

  #addMember(): Member {
    const prefix = this.#options.namePrefix ?? `${this.service}-${podTemplateHash(this.version)}`;
    let suffix = "";
    for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
    const name = `${prefix}-${suffix}`;
    let markGone = () => {};
    const gone = new Promise<void>((resolve) => {
      markGone = resolve;
    });
    const member: Member = {
      replica: {
        name,
        version: this.version,
        url: "",
        port: 0,
        pid: 0,
        ready: false,
        logFile: join(this.#options.runDir, `${name}.log`),
      },
      stopping: false,
      gone,
      markGone,
    };
    this.#members.push(member);
    return member;
  }

  async #launch(member: Member): Promise<void> {
    const options = this.#options;
    let port: number;
    try {
      port = await freePort();
    } catch (err) {
      member.markGone();
      return this.#fail(member, `found no free port: ${String(err)}`);
    }
    if (member.stopping) return member.markGone();
    const child = spawnReplica({
      service: this.service,
      version: this.version,
      port,
      dataDir: options.dataDir,
      logFile: member.replica.logFile,
      env: options.env,
      entry: options.entry,
      cwd: options.cwd,
    });
    Object.assign(member.replica, { port, url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0 });
    member.child = child;
    child.once("exit", (code, signal) => {
      member.markGone();
      if (!member.stopping) this.#fail(member, `exited (${code ?? signal}) unexpectedly`);
    });
    child.once("error", (err) => {
      member.markGone();
      if (!member.stopping) this.#fail(member, `could not start: ${err.message}`);
    });
    this.#changed();
    void this.#probe(member);
  }

  /** Polls `/readyz` until it answers 200; past the deadline the replica counts as failed. */
  async #probe(member: Member): Promise<void> {
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? 60_000);
    while (!member.stopping) {
      try {
        const response = await fetch(`${member.replica.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        if (response.ok && !member.stopping) {
          member.replica.ready = true;
          this.#failuresInARow = 0;
          this.#changed();
          this.#reconcile();
          return;
        }
      } catch {
        // not listening yet
      }
      if (member.stopping) return;
      if (Date.now() > deadline) {
        this.#fail(member, `not ready within ${this.#options.readyTimeoutMs ?? 60_000} ms`);
        return;
      }
      await new Promise((r) => setTimeout(r, this.#options.probeIntervalMs ?? 100));
    }
  }

  #fail(member: Member, reason: string): void {
    if (member.stopping) return;
    this.#stopMembers([member]);
    const tail = logTail(member.replica.logFile);
    const message = `${member.replica.name} (${this.service} ${this.version}) ${reason}${tail ? `:\n${tail}` : ""}`;
    this.#options.onFailure?.({ ...member.replica }, message);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(message));
    // Replace it after a delay that doubles with each failure in a row (crash-loop back-off).
    this.#failuresInARow++;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (this.#failuresInARow - 1));
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#reconcile();
    }, delay);
    this.#restartTimer.unref();
  }

  /**
   * Takes the members out of the set and tells onChange first (so they stop being backends before they
   * stop listening), then stops their processes: SIGTERM, SIGKILL after the grace period.
   */
  #stopMembers(members: Member[]): void {
    const leaving = members.filter((m) => !m.stopping);
    for (const member of leaving) {
      member.stopping = true;
      member.replica.ready = false;
      void member.gone.then(() => {
        this.#members = this.#members.filter((m) => m !== member);
        this.#checkSettled();
      });
    }
    this.#changed();
    for (const { child, gone, markGone } of leaving) {
      if (!child) continue; // not spawned yet: #launch sees `stopping` and marks it gone
      if (child.exitCode !== null || child.signalCode !== null) {
        markGone();
        continue;
      }
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), this.#options.gracePeriodMs ?? 10_000);
      void gone.then(() => clearTimeout(kill));
    }
  }

  #changed(): void {
    this.#options.onChange?.(this);
  }

  #checkSettled(): void {
    const stopping = this.#members.some((m) => m.stopping);
    if (stopping || this.ready !== this.#desired || this.replicas().length !== this.#desired) return;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }
}
