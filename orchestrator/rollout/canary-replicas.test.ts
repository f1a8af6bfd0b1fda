import { describe, expect, it } from "vitest";
import { basicPlan, defaultMaxSurge, trafficRoutedPlan } from "./canary-replicas.ts";

describe("trafficRoutedPlan", () => {
  it.each([
    // [replicas, weight, canary pods]: ceil(weight% × replicas), the stable keeping all of its own.
    [4, 0, 0],
    [4, 10, 1],
    [4, 25, 1],
    [4, 50, 2],
    [4, 75, 3],
    [4, 100, 4],
    [10, 25, 3],
    [1, 1, 1],
  ])("%s replicas at %s%% → %s canary pods", (replicas, weight, canary) => {
    expect(trafficRoutedPlan(replicas, weight)).toEqual({ new: canary, stable: replicas, traffic: weight });
  });
});

describe("basicPlan (Argo's approximateWeightedCanaryStableReplicaCounts, default maxSurge)", () => {
  it("surges by 25% of the replicas, rounded up", () => {
    expect([1, 4, 5, 10].map(defaultMaxSurge)).toEqual([1, 1, 2, 3]);
  });

  it.each([
    // [replicas, weight, canary, stable, share of traffic]
    [10, 10, 1, 9, 10],
    [4, 0, 0, 4, 0],
    [4, 100, 4, 0, 100],
    [4, 50, 2, 2, 50],
    // No weight between 0 and 100 rounds to 0 canary pods: one pod beside all stable ones (surge).
    [4, 10, 1, 4, 20],
    [1, 5, 1, 1, 50],
    [1, 95, 1, 1, 50],
    // 50% of 3 is tied between 1 and 2: the larger count, and the surge gives an exact 2 + 2.
    [3, 50, 2, 2, 50],
    [5, 33, 2, 4, 33],
    [0, 50, 0, 0, 50],
  ])("%s replicas at %s%% → %s canary + %s stable (%s%%)", (replicas, weight, canary, stable, traffic) => {
    expect(basicPlan(replicas, weight)).toEqual({ new: canary, stable, traffic });
  });
});
