/**
 * The rope's tree: a B-tree-like structure over runs of text. Every leaf sits at the same depth; each node
 * caches its length in code points (`chars`, what positions count) and in UTF-16 units (`units`, what a
 * browser's text field counts). Edits mutate the path they touch in place and repair fill on the way back
 * up, so an edit costs O(log n) node visits plus work bounded by the leaf size — never O(document).
 *
 * Fill rules (the root is exempt): leaves hold minLeaf..maxLeaf code points, branches hold
 * minChildren..maxChildren children. Overfull nodes split into evenly sized siblings that the parent
 * absorbs; underfull nodes merge with (or borrow from) a neighbour.
 */
import { type Piece, splitEvenly, unitOffset } from "./text.ts";

export class Leaf {
  readonly isLeaf = true;
  constructor(
    public text: string,
    public chars: number,
    public units: number,
  ) {}
}

export class Branch {
  readonly isLeaf = false;
  constructor(
    public children: Node[],
    public chars: number,
    public units: number,
  ) {}
}

export type Node = Leaf | Branch;

/** Size bounds of a tree. Production uses the defaults; tests use tiny values to grow deep trees. */
export interface Shape {
  maxLeaf: number;
  minLeaf: number;
  /** Fill of leaves built from whole text: below max, so the first edits to a leaf do not split it. */
  targetLeaf: number;
  maxChildren: number;
  minChildren: number;
}

export function makeShape(leafSize: number, fanout: number): Shape {
  return {
    maxLeaf: leafSize,
    minLeaf: Math.floor(leafSize / 4),
    targetLeaf: Math.ceil((leafSize * 3) / 4),
    maxChildren: fanout,
    minChildren: Math.max(2, Math.floor(fanout / 4)),
  };
}

const leafOf = (piece: Piece) => new Leaf(piece.text, piece.chars, piece.text.length);

function branchOf(children: Node[]): Branch {
  let chars = 0;
  let units = 0;
  for (const child of children) {
    chars += child.chars;
    units += child.units;
  }
  return new Branch(children, chars, units);
}

/** Same-height nodes grouped into as few branches as the fanout allows, group sizes within one. */
function groupEvenly(nodes: Node[], maxChildren: number): Branch[] {
  const groups = Math.ceil(nodes.length / maxChildren);
  const branches: Branch[] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * nodes.length) / groups);
    const to = Math.floor(((g + 1) * nodes.length) / groups);
    branches.push(branchOf(nodes.slice(from, to)));
  }
  return branches;
}

/** Stacks same-height siblings under new branches until one root is left. */
function stack(nodes: Node[], shape: Shape): Node {
  let level = nodes;
  while (level.length > 1) level = groupEvenly(level, shape.maxChildren);
  return level[0]!;
}

export function emptyTree(): Node {
  return new Leaf("", 0, 0);
}

export function buildTree(text: string, chars: number, shape: Shape): Node {
  if (chars === 0) return emptyTree();
  const pieces = splitEvenly(text, chars, Math.ceil(chars / shape.targetLeaf));
  return stack(pieces.map(leafOf), shape);
}

/** Copies `source`'s fields into `target`, so a split keeps the parent's reference to `target` valid. */
function assignBranch(target: Branch, source: Branch): void {
  target.children = source.children;
  target.chars = source.chars;
  target.units = source.units;
}

/** Inserts into `node` in place; returns the overflow, new siblings of the same height, or null. */
function insertInto(node: Node, pos: number, text: string, chars: number, shape: Shape): Node[] | null {
  if (node.isLeaf) {
    const at = unitOffset(node.text, node.chars, pos);
    const joined = node.text.slice(0, at) + text + node.text.slice(at);
    const total = node.chars + chars;
    if (total <= shape.maxLeaf) {
      node.text = joined;
      node.chars = total;
      node.units = joined.length;
      return null;
    }
    const [first, ...rest] = splitEvenly(joined, total, Math.ceil(total / shape.maxLeaf));
    node.text = first!.text;
    node.chars = first!.chars;
    node.units = first!.text.length;
    return rest.map(leafOf);
  }
  const children = node.children;
  let index = 0;
  // A position on a boundary goes to the end of the left child: typing appends to the run it follows.
  while (index < children.length - 1 && pos > children[index]!.chars) pos -= children[index++]!.chars;
  const overflow = insertInto(children[index]!, pos, text, chars, shape);
  node.chars += chars;
  node.units += text.length;
  if (!overflow) return null;
  // concat, not splice(...spread): a huge paste can overflow into more leaves than a call has arguments.
  const merged = children.slice(0, index + 1).concat(overflow, children.slice(index + 1));
  if (merged.length <= shape.maxChildren) {
    node.children = merged;
    return null;
  }
  const [first, ...rest] = groupEvenly(merged, shape.maxChildren);
  assignBranch(node, first!);
  return rest;
}

/** Inserts `text` (`chars` code points, 0 <= pos <= root.chars); returns the possibly new root. */
export function insertText(root: Node, pos: number, text: string, chars: number, shape: Shape): Node {
  const overflow = insertInto(root, pos, text, chars, shape);
  return overflow ? stack([root, ...overflow], shape) : root;
}

function isUnderfull(node: Node, shape: Shape): boolean {
  return node.isLeaf ? node.chars < shape.minLeaf : node.children.length < shape.minChildren;
}

/** Two adjacent same-height nodes as one node when they fit in one, else as two evenly filled ones. */
function mergePair(left: Node, right: Node, shape: Shape): Node[] {
  if (left.isLeaf) {
    const other = right as Leaf;
    const text = left.text + other.text;
    const chars = left.chars + other.chars;
    if (chars <= shape.maxLeaf) return [new Leaf(text, chars, text.length)];
    return splitEvenly(text, chars, 2).map(leafOf);
  }
  const seam = left.children.length;
  const merged = branchOf(left.children.concat((right as Branch).children));
  // A side left with one child by a deletion may hand down an underfull child (a chain, see deleteFrom);
  // such children meet at the seam, so repairing there zips the two sides together level by level.
  repair(merged, seam, shape);
  repair(merged, seam - 1, shape);
  const count = merged.children.length;
  return count <= shape.maxChildren ? [merged] : groupEvenly(merged.children, Math.ceil(count / 2));
}

/** Restores the fill of `node.children[index]` by merging it with a neighbour (the left one if any). */
function repair(node: Branch, index: number, shape: Shape): void {
  const children = node.children;
  const child = children[index];
  if (!child || children.length < 2 || !isUnderfull(child, shape)) return;
  const left = index > 0 ? index - 1 : index;
  children.splice(left, 2, ...mergePair(children[left]!, children[left + 1]!, shape));
}

/**
 * Removes `count` > 0 code points at `pos` from `node` in place, pushing the removed text to `out` when
 * given. Afterwards `node` may be underfull, and if it has one child, that child may be underfull in the
 * same way, and so on down (a chain: its siblings were all deleted, so it had no neighbour to merge with).
 * The parent repairs the chain through mergePair; every other descendant is within its fill bounds.
 */
function deleteFrom(node: Node, pos: number, count: number, out: string[] | null, shape: Shape): void {
  if (node.isLeaf) {
    const start = unitOffset(node.text, node.chars, pos);
    const end = unitOffset(node.text, node.chars, pos + count);
    if (out) out.push(node.text.slice(start, end));
    node.text = node.text.slice(0, start) + node.text.slice(end);
    node.chars -= count;
    node.units = node.text.length;
    return;
  }
  const children = node.children;
  let first = 0;
  while (pos >= children[first]!.chars) pos -= children[first++]!.chars;
  let remaining = count;
  let unitsRemoved = 0;
  let wholeFrom = -1;
  let wholeTo = -1;
  for (let index = first; remaining > 0; index++) {
    const child = children[index]!;
    const take = Math.min(child.chars - pos, remaining);
    if (take === child.chars) {
      // Fully covered children leave as they are, without visiting their subtrees.
      if (out) collectAll(child, out);
      if (wholeFrom < 0) wholeFrom = index;
      wholeTo = index + 1;
      unitsRemoved += child.units;
    } else {
      const unitsBefore = child.units;
      deleteFrom(child, pos, take, out, shape);
      unitsRemoved += unitsBefore - child.units;
    }
    remaining -= take;
    pos = 0;
  }
  node.chars -= count;
  node.units -= unitsRemoved;
  if (wholeFrom >= 0) children.splice(wholeFrom, wholeTo - wholeFrom);
  // Only the first and last touched children can be partial; after the splice they sit at first, first+1.
  repair(node, first + 1, shape);
  repair(node, first, shape);
}

/** Deletes `count` > 0 code points at `pos` (pos + count <= root.chars); returns the possibly new root. */
export function deleteText(root: Node, pos: number, count: number, out: string[] | null, shape: Shape): Node {
  deleteFrom(root, pos, count, out, shape);
  let top = root;
  // The root is exempt from fill rules, but a branch with one child is only a longer path to that child.
  while (!top.isLeaf && top.children.length <= 1) top = top.children[0] ?? emptyTree();
  return top;
}

export function collectAll(node: Node, out: string[]): void {
  if (node.isLeaf) out.push(node.text);
  else for (const child of node.children) collectAll(child, out);
}

/** Pushes the text of `count` > 0 code points at `pos` to `out`. */
export function collectRange(node: Node, pos: number, count: number, out: string[]): void {
  if (pos === 0 && count === node.chars) {
    collectAll(node, out);
  } else if (node.isLeaf) {
    const { text, chars } = node;
    out.push(text.slice(unitOffset(text, chars, pos), unitOffset(text, chars, pos + count)));
  } else {
    let remaining = count;
    for (const child of node.children) {
      if (pos >= child.chars) {
        pos -= child.chars;
        continue;
      }
      const take = Math.min(child.chars - pos, remaining);
      collectRange(child, pos, take, out);
      remaining -= take;
      if (remaining === 0) return;
      pos = 0;
    }
  }
}

/** UTF-16 units before code point `pos` (0 <= pos <= node.chars). */
export function unitsBefore(node: Node, pos: number): number {
  let units = 0;
  let current = node;
  while (!current.isLeaf) {
    const children: Node[] = current.children;
    let index = 0;
    while (index < children.length - 1 && pos > children[index]!.chars) {
      pos -= children[index]!.chars;
      units += children[index++]!.units;
    }
    current = children[index]!;
  }
  return units + unitOffset(current.text, current.chars, pos);
}
