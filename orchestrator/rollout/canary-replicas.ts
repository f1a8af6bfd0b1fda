/**
 * How many replicas of each version a canary weight needs, as Argo computes them
 * (utils/replicaset/canary.go), and the share of traffic the engine's proxy then sends to the new version.
 *
 * - With traffic routing (nginx): the stable keeps all its replicas, the canary gets ceil(weight% × replicas)
 *   (CalculateReplicaCountsForTrafficRoutedCanary, trafficWeightToReplicas: at least 1 for any weight > 0),
 *   and the router splits traffic by the weight itself.
 * - Without it (basic canary): the replica counts are the split, as a Service balancing over all pods splits
 *   it (CalculateReplicaCountsForBasicCanary → approximateWeightedCanaryStableReplicaCounts). The proxy is
 *   told the share of the new version's pods, the split a Kubernetes Service would give.
 */

export interface ReplicaPlan {
  new: number;
  stable: number;
  /** The weight (0–100) the proxy applies: the step's weight when routed, the pods' share otherwise. */
  traffic: number;
}

export function trafficRoutedPlan(replicas: number, weight: number): ReplicaPlan {
  return { new: Math.ceil((weight * replicas) / 100), stable: replicas, traffic: weight };
}

/**
 * Argo's default maxSurge, "25" read as 25% and rounded up (resolveFenceposts with the lenient
 * GetValueFromIntOrPercent): how far the two versions together may exceed `replicas`.
 */
export function defaultMaxSurge(replicas: number): number {
  return Math.ceil(replicas * 0.25);
}

export function basicPlan(replicas: number, weight: number): ReplicaPlan {
  if (replicas === 0) return { new: 0, stable: 0, traffic: weight };
  const surge = defaultMaxSurge(replicas);
  const exact = (replicas * weight) / 100;
  const ceil = Math.ceil(exact);
  const floor = Math.floor(exact);
  // A weight strictly between 0 and 100 never rounds to 0 canary pods unless one pod without surge forces it.
  const zeroAllowed = weight === 100 || weight === 0 || (replicas === 1 && surge === 0);
  // Half-way between two counts: only the larger one is a candidate (Argo's floorCeilingTied).
  const tied = (total: number) => (total * (weight / 100)) % 1 === 0.5;
  const candidates: { canary: number; total: number }[] = [];
  for (const total of surge > 0 ? [replicas, replicas + 1] : [replicas]) {
    if (ceil < replicas || zeroAllowed || total > replicas) candidates.push({ canary: ceil, total });
    if (!tied(total) && (floor !== 0 || zeroAllowed)) candidates.push({ canary: floor, total });
  }
  const delta = (option: { canary: number; total: number }) =>
    Math.abs((option.canary * 100) / option.total - weight);
  // Earlier candidates win ties: the spec's own replica count before a surged one.
  const best = candidates.reduce(
    (a, b) => (delta(b) < delta(a) ? b : a),
    candidates[0] ?? { canary: 0, total: replicas },
  );
  const stable = best.total - best.canary;
  return { new: best.canary, stable, traffic: Math.round((best.canary * 100) / best.total) };
}
