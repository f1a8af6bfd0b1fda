import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../../../functions/shared/testing/eventually.ts";
import { podTemplateHash } from "./pod-template-hash.ts";
import { type Replica, ReplicaSet } from "./replicas.ts";

const dir = mkdtempSync(join(tmpdir(), "canary-replicas-"));
const dataDir = join(dir, "data");
const runDir = join(dir, "run");
const sets: ReplicaSet[] = [];

function replicaSet(version: string, env?: Record<string, string>) {
  const changes: number[] = [];
  const failures: string[] = [];
  const set = new ReplicaSet({
    service: "tinyurl",
    version,
    dataDir,
    runDir,
    env,
    gracePeriodMs: 5_000,
    onChange: (s) => changes.push(s.ready),
    onFailure: (_replica, reason) => failures.push(reason),
  });
  sets.push(set);
  return { set, changes, failures };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await Promise.all(sets.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("ReplicaSet", () => {
  it("refuses a service it does not know", () => {
    expect(() => new ReplicaSet({ service: "nope", version: "v1", dataDir, runDir })).toThrow(
      /unknown service "nope"/,
    );
  });

  it("starts replicas of the service at its version, scales down, and stops them", async () => {
    const { set, changes } = replicaSet("v1");
    await set.scale(2);
    expect(set.desired).toBe(2);
    expect(set.ready).toBe(2);
    const replicas = set.replicas();
    expect(new Set(replicas.map((r) => r.port)).size).toBe(2);
    for (const replica of replicas) {
      expect(replica).toMatchObject({ version: "v1", ready: true, url: `http://127.0.0.1:${replica.port}` });
      expect(replica.name).toMatch(new RegExp(`^tinyurl-${podTemplateHash("v1")}-[a-z0-9]{5}$`));
      expect(alive(replica.pid)).toBe(true);
      const openapi = (await (await fetch(`${replica.url}/openapi.json`)).json()) as {
        info: { version: string };
      };
      expect(openapi.info.version).toBe("v1");
    }
    expect(set.readyUrls().sort()).toEqual(replicas.map((r) => r.url).sort());
    expect(changes).toContain(2);

    // Both replicas share the service's database (DATA_DIR): a link made on one resolves on the other.
    const made = await fetch(`${replicas[0]!.url}/shorten`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/shared" }),
    });
    expect(made.status).toBe(201);
    const { code } = (await made.json()) as { code: string };
    const redirect = await fetch(`${replicas[1]!.url}/${code}`, { redirect: "manual" });
    expect(redirect.headers.get("location")).toBe("https://example.com/shared");
    expect(existsSync(join(dataDir, "tinyurl.db"))).toBe(true);

    await set.scale(1);
    expect(set.ready).toBe(1);
    const [kept] = set.replicas();
    const removed = replicas.find((r) => r.pid !== kept!.pid)!;
    expect(alive(removed.pid)).toBe(false);
    // Output goes to a log file per replica, not to the terminal.
    expect(existsSync(removed.logFile)).toBe(true);

    await set.stop();
    expect(set.ready).toBe(0);
    expect(set.replicas()).toEqual([]);
    expect(alive(kept!.pid)).toBe(false);
    await expect(set.scale(1)).rejects.toThrow(/stopped/);
  }, 60_000);

  it("replaces a replica that dies, reporting why", async () => {
    const { set, failures } = replicaSet("v2", { FAULT_ERROR_RATE: "1" });
    await set.scale(1);
    const [first] = set.replicas() as [Replica];
    // The user's env reaches the process: the fault switch answers 500, but probes stay green.
    expect((await fetch(`${first.url}/openapi.json`)).status).toBe(500);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    process.kill(first.pid, "SIGKILL");
    await eventually(
      () => set.replicas(),
      (replicas) => replicas.length === 1 && replicas[0]!.pid !== first.pid && replicas[0]!.ready,
      { what: "a ready replacement", timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(new RegExp(`^${first.name} \\(tinyurl v2\\) exited \\(SIGKILL\\)`));
  }, 60_000);

  it("reports a replica that cannot start, with its log, and retries it", async () => {
    const { set, failures } = replicaSet("broken", { LOG_LEVEL: "loud" });
    await expect(set.scale(1)).rejects.toThrow(/exited \(1\) unexpectedly:[\s\S]*LOG_LEVEL/);
    await eventually(
      () => failures.length,
      (n) => n >= 2,
      { what: "a second attempt", timeoutMs: 30_000, intervalMs: 100 },
    );
    await set.stop();
    const logs = failures.map((f) => f.split(" ")[0]!).map((name) => join(runDir, `${name}.log`));
    expect(readFileSync(logs[0]!, "utf8")).toMatch(/Invalid configuration: LOG_LEVEL/);
  }, 60_000);
});
