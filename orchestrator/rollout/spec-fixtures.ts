/**
 * Manifests for the spec tests: a small valid Rollout and AnalysisTemplate that each test bends one field
 * of, and a helper that returns the RolloutSpecError a parse throws.
 */
import { expect } from "vitest";
import type { Mapping } from "./spec-fields.ts";
import { RolloutSpecError } from "./spec-fields.ts";

export const SOURCE = { file: "k8s/test/rollout.yaml", index: 2 };

export function podTemplate(container: Mapping = {}): Mapping {
  return {
    metadata: { labels: { app: "tinyurl" } },
    spec: {
      containers: [
        {
          name: "tinyurl",
          image: "ghcr.io/canary-platform/canary:1.2.3",
          ports: [{ name: "http", containerPort: 5000 }],
          ...container,
        },
      ],
    },
  };
}

/** A Rollout with `strategy` and the given spec fields over a valid base. */
export function rolloutObject(strategy: Mapping, spec: Mapping = {}, metadata: Mapping = {}): Mapping {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "tinyurl", labels: { team: "links" }, ...metadata },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "tinyurl" } },
      template: podTemplate(),
      strategy,
      ...spec,
    },
  };
}

export const canaryObject = (canary: Mapping, spec: Mapping = {}) => rolloutObject({ canary }, spec);

export const blueGreenObject = (blueGreen: Mapping, spec: Mapping = {}) =>
  rolloutObject({ blueGreen: { activeService: "tinyurl", ...blueGreen } }, spec);

export const nginx = { nginx: { stableIngress: "tinyurl" } };
export const routed = { canaryService: "tinyurl-canary", stableService: "tinyurl", trafficRouting: nginx };

export function prometheusMetric(overrides: Mapping = {}): Mapping {
  return {
    name: "success-rate",
    interval: "1m",
    count: 3,
    successCondition: "result[0] >= 0.99",
    provider: { prometheus: { address: "http://prometheus:9090", query: "up" } },
    ...overrides,
  };
}

export function templateObject(
  spec: Mapping = {},
  name = "success-rate",
  kind = "AnalysisTemplate",
): Mapping {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind,
    metadata: { name },
    spec: { metrics: [prometheusMetric({ name })], ...spec },
  };
}

/** The RolloutSpecError `parse` throws; fails the test when it throws nothing or something else. */
export function refusalOf(parse: () => unknown): RolloutSpecError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(RolloutSpecError);
    return error as RolloutSpecError;
  }
  throw new Error("expected a RolloutSpecError, but the manifest was accepted");
}
