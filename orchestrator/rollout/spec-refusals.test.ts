/**
 * Every Rollout field the local engine cannot honour is refused by name, with the reason; so are manifests
 * Argo itself would reject. Each row bends one field of a valid Rollout.
 */
import { describe, expect, it } from "vitest";
import { parseRollout } from "./spec.ts";
import {
  blueGreenObject,
  canaryObject,
  nginx,
  refusalOf,
  rolloutObject,
  routed,
  SOURCE,
} from "./spec-fixtures.ts";

const C = "spec.strategy.canary";
const BG = "spec.strategy.blueGreen";
const analysis = { templates: [{ templateName: "t" }] };

const UNSUPPORTED: [string, Record<string, unknown>, string, RegExp][] = [
  [
    "an experiment step",
    canaryObject({ steps: [{ experiment: {} }] }),
    `${C}.steps[0].experiment`,
    /need Kubernetes/,
  ],
  [
    "setCanaryScale",
    canaryObject({ ...routed, steps: [{ setCanaryScale: { replicas: 1 } }] }),
    `${C}.steps[0].setCanaryScale`,
    /apart from its weight/,
  ],
  [
    "setHeaderRoute",
    canaryObject({ steps: [{ setHeaderRoute: { name: "h" } }] }),
    `${C}.steps[0].setHeaderRoute`,
    /header-based/,
  ],
  [
    "setMirrorRoute",
    canaryObject({ steps: [{ setMirrorRoute: { name: "m" } }] }),
    `${C}.steps[0].setMirrorRoute`,
    /mirroring/,
  ],
  ["a plugin step", canaryObject({ steps: [{ plugin: { name: "p" } }] }), `${C}.steps[0].plugin`, /plugins/],
  ...["istio", "alb", "smi", "ambassador", "appMesh", "traefik", "apisix", "plugins"].map(
    (router): [string, Record<string, unknown>, string, RegExp] => [
      `trafficRouting.${router}`,
      canaryObject({ ...routed, trafficRouting: { [router]: {} } }),
      `${C}.trafficRouting.${router}`,
      /routes traffic inside a cluster/,
    ],
  ),
  [
    "managedRoutes",
    canaryObject({ ...routed, trafficRouting: { ...nginx, managedRoutes: [{ name: "h" }] } }),
    `${C}.trafficRouting.managedRoutes`,
    /header and mirror/,
  ],
  [
    "maxTrafficWeight",
    canaryObject({ ...routed, trafficRouting: { ...nginx, maxTrafficWeight: 1000 } }),
    `${C}.trafficRouting.maxTrafficWeight`,
    /other than 100/,
  ],
  [
    "nginx header routing",
    canaryObject({
      ...routed,
      trafficRouting: {
        nginx: { stableIngress: "i", additionalIngressAnnotations: { "canary-by-header": "X" } },
      },
    }),
    `${C}.trafficRouting.nginx.additionalIngressAnnotations`,
    /by header/,
  ],
  [
    "nginx canary annotations",
    canaryObject({
      ...routed,
      trafficRouting: { nginx: { stableIngress: "i", canaryIngressAnnotations: { a: "b" } } },
    }),
    `${C}.trafficRouting.nginx.canaryIngressAnnotations`,
    /by cookie/,
  ],
  [
    "dynamicStableScale",
    canaryObject({ ...routed, dynamicStableScale: true }),
    `${C}.dynamicStableScale`,
    /full count/,
  ],
  [
    "pingPong",
    canaryObject({ pingPong: { pingService: "a", pongService: "b" } }),
    `${C}.pingPong`,
    /ping-pong/,
  ],
  [
    "minPodsPerReplicaSet above 1",
    canaryObject({ ...routed, minPodsPerReplicaSet: 2 }),
    `${C}.minPodsPerReplicaSet`,
    /above 1/,
  ],
  [
    "replicaProgressThreshold",
    canaryObject({ replicaProgressThreshold: { type: "Percent", value: 50 } }),
    `${C}.replicaProgressThreshold`,
    /every replica/,
  ],
  [
    "previewReplicaCount 0",
    blueGreenObject({ previewReplicaCount: 0 }),
    `${BG}.previewReplicaCount`,
    /nothing to serve/,
  ],
  ["replicas 0", canaryObject({}, { replicas: 0 }), "spec.replicas", /nothing to send traffic to/],
  [
    "minReadySeconds",
    canaryObject({}, { minReadySeconds: 10 }),
    "spec.minReadySeconds",
    /as soon as it is ready/,
  ],
  ["paused", canaryObject({}, { paused: true }), "spec.paused", /paused from the start/],
  [
    "progressDeadlineSeconds",
    canaryObject({}, { progressDeadlineSeconds: 600 }),
    "spec.progressDeadlineSeconds",
    /no progress deadline/,
  ],
  [
    "progressDeadlineAbort",
    canaryObject({}, { progressDeadlineAbort: true }),
    "spec.progressDeadlineAbort",
    /no progress deadline/,
  ],
  ["restartAt", canaryObject({}, { restartAt: "2026-01-01T00:00:00Z" }), "spec.restartAt", /restarting pods/],
  [
    "a step's dryRun",
    canaryObject({ steps: [{ analysis: { ...analysis, dryRun: [{ metricName: "*" }] } }] }),
    `${C}.steps[0].analysis.dryRun`,
    /dry-run/,
  ],
];

describe("unsupported fields are refused by name", () => {
  it.each(UNSUPPORTED)("%s", (_, object, path, why) => {
    const error = refusalOf(() => parseRollout(object, SOURCE));
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(/^is not supported by the local engine \(/);
    expect(error.reason).toMatch(why);
  });
});

const INVALID: [string, Record<string, unknown>, string, RegExp][] = [
  ["an unknown field", canaryObject({ stepz: [] }), `${C}.stepz`, /not a field the local engine knows/],
  ["an unknown spec field", canaryObject({}, { replica: 2 }), "spec.replica", /not a field/],
  [
    "a step with two kinds",
    canaryObject({ steps: [{ setWeight: 1, pause: {} }] }),
    `${C}.steps[0]`,
    /several steps at once \(setWeight, pause\)/,
  ],
  ["an empty step", canaryObject({ steps: [{}] }), `${C}.steps[0]`, /must be setWeight, pause or analysis/],
  [
    "setWeight above 100",
    canaryObject({ steps: [{ setWeight: 101 }] }),
    `${C}.steps[0].setWeight`,
    /from 0 to 100, not 101/,
  ],
  [
    "a fractional weight",
    canaryObject({ steps: [{ setWeight: 2.5 }] }),
    `${C}.steps[0].setWeight`,
    /whole number/,
  ],
  [
    "a bad pause",
    canaryObject({ steps: [{ pause: { duration: "5x" } }] }),
    `${C}.steps[0].pause.duration`,
    /"5x" is not a duration/,
  ],
  [
    "a negative pause",
    canaryObject({ steps: [{ pause: { duration: -1 } }] }),
    `${C}.steps[0].pause.duration`,
    /negative/,
  ],
  [
    "pause fields",
    canaryObject({ steps: [{ pause: { until: "x" } }] }),
    `${C}.steps[0].pause.until`,
    /not a field/,
  ],
  ["steps as a mapping", canaryObject({ steps: { a: 1 } }), `${C}.steps`, /must be a list, not a mapping/],
  ["no strategy", rolloutObject(undefined as never), "spec.strategy", /is required/],
  [
    "two strategies",
    rolloutObject({ canary: {}, blueGreen: { activeService: "a" } }),
    "spec.strategy",
    /exactly one/,
  ],
  ["an unknown strategy", rolloutObject({ rollingUpdate: {} }), "spec.strategy.rollingUpdate", /not a field/],
  ["no template", canaryObject({}, { template: undefined }), "spec.template", /is required/],
  [
    "no containers",
    canaryObject({}, { template: { spec: { containers: [] } } }),
    "spec.template.spec.containers",
    /needs a container/,
  ],
  [
    "a bad port",
    canaryObject(
      {},
      { template: { spec: { containers: [{ name: "docs", ports: [{ containerPort: 70000 }] }] } } },
    ),
    "spec.template.spec.containers[0].ports[0].containerPort",
    /from 1 to 65535/,
  ],
  [
    "the same canary and stable Service",
    canaryObject({ canaryService: "a", stableService: "a" }),
    `${C}.stableService`,
    /differ/,
  ],
  [
    "nginx without services",
    canaryObject({ trafficRouting: nginx }),
    `${C}.stableService`,
    /required with trafficRouting/,
  ],
  [
    "nginx without a canary service",
    canaryObject({ stableService: "s", trafficRouting: nginx }),
    `${C}.canaryService`,
    /required with trafficRouting/,
  ],
  [
    "no router",
    canaryObject({ ...routed, trafficRouting: {} }),
    `${C}.trafficRouting`,
    /names no traffic router/,
  ],
  [
    "no stable Ingress",
    canaryObject({ ...routed, trafficRouting: { nginx: {} } }),
    `${C}.trafficRouting.nginx.stableIngress`,
    /is required/,
  ],
  [
    "scaleDownDelaySeconds on a basic canary",
    canaryObject({ scaleDownDelaySeconds: 5 }),
    `${C}.scaleDownDelaySeconds`,
    /only be used with trafficRouting/,
  ],
  [
    "zero surge and unavailability",
    canaryObject({ maxSurge: "0%", maxUnavailable: 0 }),
    `${C}.maxSurge`,
    /cannot both be 0/,
  ],
  ["a bad maxSurge", canaryObject({ maxSurge: "lots" }), `${C}.maxSurge`, /whole number/],
  [
    "a negative startingStep",
    canaryObject({ analysis: { ...analysis, startingStep: -1 } }),
    `${C}.analysis.startingStep`,
    /at least 0/,
  ],
  [
    "an analysis without templates",
    canaryObject({ steps: [{ analysis: { templates: [] } }] }),
    `${C}.steps[0].analysis.templates`,
    /at least one template/,
  ],
  [
    "a template without a name",
    canaryObject({ steps: [{ analysis: { templates: [{ clusterScope: true }] } }] }),
    `${C}.steps[0].analysis.templates[0].templateName`,
    /is required/,
  ],
  [
    "clusterScope as text",
    canaryObject({ steps: [{ analysis: { templates: [{ templateName: "t", clusterScope: "yes" }] } }] }),
    `${C}.steps[0].analysis.templates[0].clusterScope`,
    /true or false/,
  ],
  ["no activeService", rolloutObject({ blueGreen: {} }), `${BG}.activeService`, /is required/],
  [
    "the same active and preview Service",
    blueGreenObject({ previewService: "tinyurl" }),
    `${BG}.previewService`,
    /differ/,
  ],
  [
    "a wrong apiVersion",
    { ...canaryObject({}), apiVersion: "argoproj.io/v2" },
    "apiVersion",
    /must be argoproj\.io\/v1alpha1/,
  ],
  ["a wrong kind", { ...canaryObject({}), kind: "Deployment" }, "kind", /must be Rollout/],
  ["no name", { ...canaryObject({}), metadata: {} }, "metadata.name", /is required/],
  ["an unknown top-level field", { ...canaryObject({}), extra: 1 }, "extra", /not a field/],
];

describe("manifests Argo would reject are refused with the field", () => {
  it.each(INVALID)("%s", (_, object, path, why) => {
    const error = refusalOf(() => parseRollout(object, SOURCE));
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(why);
  });

  it("refuses what is not a mapping", () => {
    expect(refusalOf(() => parseRollout("text", SOURCE)).message).toMatch(/\?\/\?: is not a mapping/);
  });
});

describe("fields left aside knowingly", () => {
  it("accepts a cluster's status and fields that only describe Kubernetes objects", () => {
    const object = {
      ...canaryObject(
        { ...routed, trafficRouting: { nginx: { stableIngress: "i", annotationPrefix: "x.io" } } },
        {
          rollbackWindow: { revisions: 1 },
        },
      ),
      status: { phase: "Healthy" },
    };
    expect(parseRollout(object, SOURCE).strategy).toMatchObject({
      trafficRouting: { nginx: { stableIngress: "i" } },
    });
    const blueGreen = blueGreenObject({ maxUnavailable: 1, antiAffinity: {}, previewMetadata: {} });
    expect(parseRollout(blueGreen, SOURCE).strategy.kind).toBe("blueGreen");
  });
});
