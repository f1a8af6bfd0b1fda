import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type PrometheusServer,
  type Sample,
  skipWithoutPrometheus,
  startPrometheus,
} from "../../../delivery/prometheus-server.ts";
import { eventually } from "../../../functions/shared/testing/eventually.ts";
import { PrometheusTargets, podTemplateHash } from "./prometheus-targets.ts";
import type { Replica } from "./replicas.ts";

const dir = mkdtempSync(join(tmpdir(), "canary-targets-"));
const servers: Server[] = [];
let prometheus: PrometheusServer | undefined;

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const replica = (name: string, version: string, url: string, ready = true): Replica => ({
  name,
  version,
  url,
  port: Number(new URL(url).port),
  pid: 1,
  ready,
  logFile: "",
});

/** A stand-in replica: `/metrics` with the series a service exposes, labelled as the services do. */
async function metricsServer(version: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(
      `# TYPE http_requests_total counter\nhttp_requests_total{service="tinyurl",version="${version}"} 7\n`,
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("podTemplateHash", () => {
  it("is a stable 10-character label value per version", () => {
    const hash = podTemplateHash("v1.2.3");
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(podTemplateHash("v1.2.3")).toBe(hash);
    expect(podTemplateHash("v1.2.4")).not.toBe(hash);
    expect(podTemplateHash("")).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });
});

describe("PrometheusTargets", () => {
  it("writes the ready replicas with their pod labels", () => {
    const file = join(dir, "labels.json");
    const targets = new PrometheusTargets({ file, service: "tinyurl", namespace: "canary" });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual([]);
    targets.update([
      { role: "stable", replicas: [replica("tinyurl-a-1", "v1", "http://127.0.0.1:4001")] },
      {
        role: "new",
        replicas: [
          replica("tinyurl-b-1", "v2", "http://127.0.0.1:4002"),
          replica("tinyurl-b-2", "v2", "http://127.0.0.1:4003", false),
        ],
      },
    ]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual([
      {
        targets: ["127.0.0.1:4001"],
        labels: {
          service: "tinyurl",
          version: "v1",
          role: "stable",
          rollouts_pod_template_hash: podTemplateHash("v1"),
          namespace: "canary",
          pod: "tinyurl-a-1",
        },
      },
      {
        targets: ["127.0.0.1:4002"],
        labels: expect.objectContaining({ role: "new", rollouts_pod_template_hash: podTemplateHash("v2") }),
      },
    ]);
    expect(targets.job()).toEqual({ job: "tinyurl", targetFiles: [file], honorLabels: true });
  });

  it("refuses a file Prometheus would not read as JSON", () => {
    expect(() => new PrometheusTargets({ file: join(dir, "targets.yml"), service: "tinyurl" })).toThrow(
      /must end in \.json/,
    );
  });

  it.skipIf(skipWithoutPrometheus("PrometheusTargets with a live Prometheus"))(
    "lets a running Prometheus follow the replicas as they change",
    async () => {
      const [stableUrl, newUrl] = await Promise.all([metricsServer("v1"), metricsServer("v2")]);
      const targets = new PrometheusTargets({ file: join(dir, "live.json"), service: "tinyurl" });
      const stable = { role: "stable" as const, replicas: [replica("tinyurl-s-1", "v1", stableUrl)] };
      targets.update([stable]);
      prometheus = await startPrometheus({ jobs: [targets.job()] });
      await prometheus.waitForScrapes(1);

      targets.update([stable, { role: "new", replicas: [replica("tinyurl-n-1", "v2", newUrl)] }]);
      const query = `http_requests_total{rollouts_pod_template_hash="${podTemplateHash("v2")}"}`;
      const result = await prometheus.waitForSamples(query);
      const [sample] = result.result as Sample[];
      expect(sample!.metric).toMatchObject({
        job: "tinyurl",
        service: "tinyurl",
        version: "v2",
        role: "new",
        pod: "tinyurl-n-1",
        namespace: "default",
      });

      // The new version goes away: Prometheus drops its target (discovery updates come every ~5 s).
      targets.update([stable]);
      await eventually(
        () => prometheus!.targets(),
        (active) => active.length === 1 && active[0]!.labels.version === "v1",
        { what: "one target left", timeoutMs: 30_000, intervalMs: 200 },
      );
    },
    60_000,
  );
});
