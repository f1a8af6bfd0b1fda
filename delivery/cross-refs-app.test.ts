import { describe, expect, it } from "vitest";
import { checkCrossRefs } from "./cross-refs.ts";
import { probeTargets } from "./cross-refs-app.ts";
import { fixtureBuild, fixtureContainer, fixtureObject } from "./cross-refs-fixtures.ts";
import { BuildIndex } from "./cross-refs-index.ts";
import type { ManifestDocument } from "./manifests.ts";

type Container = Record<string, unknown> & {
  env: Record<string, unknown>[];
  ports: Record<string, unknown>[];
};

/** The problems of the fixture after changing its platform container. */
function problemsAfter(change: (container: Container, documents: ManifestDocument[]) => void): string[] {
  const documents = fixtureBuild();
  change(fixtureContainer(documents) as Container, documents);
  return checkCrossRefs(documents);
}

const WHERE = "fixture.yaml[7] Rollout/tinyurl: container tinyurl";

describe("the platform's containers", () => {
  it("set only variables the app reads", () => {
    const problems = problemsAfter((c) => void c.env.push({ name: "REDIS_HOST", value: "redis" }));
    expect(problems).toEqual([`${WHERE} sets REDIS_HOST, which functions/shared/config.ts does not read`]);
    expect(problemsAfter((c) => void c.env.push({ name: "NODE_ENV", value: "production" }))).toEqual([]);
  });

  it("set values the app accepts, from literals and ConfigMaps alike", () => {
    const literal = problemsAfter((c) => void c.env.push({ name: "RATE_LIMIT_API", value: "many" }));
    expect(literal).toHaveLength(1);
    expect(literal[0]).toMatch(
      new RegExp(`^${escapeRegExp(WHERE)} would not start: Invalid configuration: RATE_LIMIT_API`),
    );
    const fromConfigMap = problemsAfter((_, d) => {
      fixtureObject(d, "ConfigMap").data = { SERVICE: "tinyurl", LOG_LEVEL: "loud" };
    });
    expect(fromConfigMap[0]).toMatch(/would not start: Invalid configuration: LOG_LEVEL/);
  });

  it("run exactly one service", () => {
    const none = problemsAfter((_, d) => {
      fixtureObject(d, "ConfigMap").data = { LOG_LEVEL: "info" };
    });
    expect(none).toEqual([`${WHERE} runs every service(s): set SERVICE to one`]);
    const two = problemsAfter((_, d) => {
      fixtureObject(d, "ConfigMap").data = { SERVICES: "tinyurl,docs", LOG_LEVEL: "info" };
    });
    expect(two).toEqual([`${WHERE} runs 2 service(s): set SERVICE to one`]);
  });

  it("name the port the service listens on http, configured or by default", () => {
    expect(
      problemsAfter((c) => {
        c.ports = [{ name: "http", containerPort: 8080 }];
      }),
    ).toEqual(expect.arrayContaining([`${WHERE} runs tinyurl on port 5000, but its http port is 8080`]));
    expect(problemsAfter((c) => void c.env.push({ name: "TINYURL_PORT", value: "8080" }))).toEqual([
      `${WHERE} runs tinyurl on port 8080, but its http port is 5000`,
    ]);
  });

  it("probe that port", () => {
    const problems = problemsAfter((c) => {
      c.readinessProbe = { httpGet: { path: "/readyz", port: 9000 } };
    });
    expect(problems).toEqual([`${WHERE} readinessProbe targets port 9000, not the service's (5000)`]);
  });

  it("label their pods with the version they run", () => {
    expect(
      problemsAfter((c) => {
        c.image = "ghcr.io/canary-platform/canary:1.0.1";
      }),
    ).toEqual([
      "fixture.yaml[7] Rollout/tinyurl: app.kubernetes.io/version is 1.0.0 but container tinyurl runs tag 1.0.1",
    ]);
  });

  it("other images are not the platform's business", () => {
    expect(
      problemsAfter((c) => void Object.assign(c, { image: "redis:7", env: [{ name: "X", value: "1" }] })),
    ).toEqual([]);
  });
});

describe("probeTargets", () => {
  it("lists each HTTP probe with the service it asks", () => {
    const targets = probeTargets(new BuildIndex(fixtureBuild()), "ghcr.io/canary-platform/canary");
    expect(
      targets.map(({ service, container, probe, path }) => ({ service, container, probe, path })),
    ).toEqual([
      { service: "tinyurl", container: "tinyurl", probe: "livenessProbe", path: "/healthz" },
      { service: "tinyurl", container: "tinyurl", probe: "readinessProbe", path: "/readyz" },
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
