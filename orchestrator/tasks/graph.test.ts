import { describe, expect, it } from "vitest";
import { graphProblems, topologicalOrder } from "./graph.ts";

const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe("graphProblems", () => {
  it("finds nothing wrong in a DAG", () => {
    expect(graphProblems(g({ "1": [], "2": ["1"], "3": ["1", "2"], "3.1": ["3"] }))).toEqual([]);
  });

  it("reports missing targets and self references", () => {
    expect(graphProblems(g({ "1": ["9"], "2": ["2"] }))).toEqual([
      { kind: "missing", node: "1", target: "9" },
      { kind: "self", node: "2" },
    ]);
  });

  it("reports a cycle as the path that closes it", () => {
    expect(graphProblems(g({ "1": ["3"], "2": ["1"], "3": ["2"] }))).toEqual([
      { kind: "cycle", cycle: ["1", "3", "2", "1"] },
    ]);
  });

  it("handles a chain of 100,000 nodes without overflowing the stack", () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 100_000; i++) edges[String(i)] = i === 0 ? [] : [String(i - 1)];
    expect(graphProblems(g(edges))).toEqual([]);
    edges["0"] = ["99999"];
    const [problem] = graphProblems(g(edges));
    expect(problem?.kind).toBe("cycle");
  });
});

describe("topologicalOrder", () => {
  it("puts dependencies first", () => {
    const order = topologicalOrder(g({ "3": ["2", "1"], "2": ["1"], "1": [] }));
    expect(order).toEqual(["1", "2", "3"]);
  });
});
