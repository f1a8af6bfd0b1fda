/** Checks every structural invariant of a rope's tree; tests call it after edits. */
import type { Rope } from "../rope.ts";
import { countCodePoints, isWellFormed } from "../text.ts";
import type { Node, Shape } from "../tree.ts";

export interface TreeStats {
  depth: number;
  leaves: number;
  branches: number;
}

/** Throws an Error naming the first broken invariant; returns the tree's size figures otherwise. */
export function checkInvariants(rope: Rope): TreeStats {
  const { root, shape } = rope.internalTree;
  const stats: TreeStats = { depth: -1, leaves: 0, branches: 0 };
  visit(root, shape, 0, true, stats, "root");
  return stats;
}

function visit(
  node: Node,
  shape: Shape,
  depth: number,
  isRoot: boolean,
  stats: TreeStats,
  path: string,
): void {
  const fail = (problem: string): never => {
    throw new Error(`rope invariant broken at ${path}: ${problem}`);
  };
  if (node.isLeaf) {
    stats.leaves++;
    if (stats.depth === -1) stats.depth = depth;
    if (stats.depth !== depth) fail(`leaf at depth ${depth}, others at ${stats.depth}`);
    if (!isWellFormed(node.text)) fail("leaf text has a lone surrogate");
    if (node.chars !== countCodePoints(node.text))
      fail(`chars ${node.chars} != ${countCodePoints(node.text)}`);
    if (node.units !== node.text.length) fail(`units ${node.units} != ${node.text.length}`);
    if (node.chars > shape.maxLeaf) fail(`leaf of ${node.chars} > max ${shape.maxLeaf}`);
    if (!isRoot && node.chars < shape.minLeaf) fail(`leaf of ${node.chars} < min ${shape.minLeaf}`);
    return;
  }
  stats.branches++;
  const count = node.children.length;
  if (count > shape.maxChildren) fail(`${count} children > max ${shape.maxChildren}`);
  if (count < (isRoot ? 2 : shape.minChildren)) fail(`${count} children, too few`);
  let chars = 0;
  let units = 0;
  node.children.forEach((child, i) => {
    visit(child, shape, depth + 1, false, stats, `${path}/${i}`);
    chars += child.chars;
    units += child.units;
  });
  if (node.chars !== chars) fail(`chars ${node.chars} != children's ${chars}`);
  if (node.units !== units) fail(`units ${node.units} != children's ${units}`);
}
