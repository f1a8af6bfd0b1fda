/**
 * Dependency-graph checks shared by the PRD parser (which reports file:line) and `validate-dependencies`
 * (which reports task ids). Nodes are addressed by string keys: `"3"` for a task, `"3.2"` for a subtask.
 */
export type Graph = ReadonlyMap<string, readonly string[]>;

export type GraphProblem =
  | { kind: "missing"; node: string; target: string }
  | { kind: "self"; node: string }
  | { kind: "cycle"; cycle: string[] };

/**
 * Missing targets, self references and cycles. Each cycle is reported once, as the path of nodes that
 * closes it (first node repeated at the end). Iterative DFS: very long chains must not overflow the stack.
 */
export function graphProblems(graph: Graph): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const [node, targets] of graph) {
    for (const target of targets) {
      if (target === node) problems.push({ kind: "self", node });
      else if (!graph.has(target)) problems.push({ kind: "missing", node, target });
    }
  }
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = new Map<string, number>();
  for (const start of graph.keys()) {
    if ((color.get(start) ?? WHITE) !== WHITE) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    color.set(start, GREY);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next >= targets.length) {
        color.set(frame.node, BLACK);
        stack.pop();
        continue;
      }
      const target = targets[frame.next++]!;
      if (target === frame.node || !graph.has(target)) continue; // reported above
      const c = color.get(target) ?? WHITE;
      if (c === GREY) {
        const from = stack.findIndex((f) => f.node === target);
        problems.push({ kind: "cycle", cycle: [...stack.slice(from).map((f) => f.node), target] });
      } else if (c === WHITE) {
        color.set(target, GREY);
        stack.push({ node: target, next: 0 });
      }
    }
  }
  return problems;
}

/** Nodes in an order where every node comes after its dependencies (assumes no cycles). */
export function topologicalOrder(graph: Graph): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  for (const start of graph.keys()) {
    if (done.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    done.add(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next >= targets.length) {
        order.push(frame.node);
        stack.pop();
        continue;
      }
      const target = targets[frame.next++]!;
      if (!done.has(target) && graph.has(target)) {
        done.add(target);
        stack.push({ node: target, next: 0 });
      }
    }
  }
  return order;
}
