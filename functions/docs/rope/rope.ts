/**
 * A mutable rope: text addressed in Unicode code points, edited in O(log n). The document behind a Docs
 * session, so that a 100,000-character document does not cost O(length) per op (see tree.ts).
 */
import { checkOp, type TextOp } from "./op.ts";
import { countCodePoints, isWellFormed, RopeError } from "./text.ts";
import {
  buildTree,
  collectAll,
  collectRange,
  deleteText,
  insertText,
  makeShape,
  type Node,
  type Shape,
  unitsBefore,
} from "./tree.ts";

/** Tree tuning. The defaults suit documents of any size; tests pass tiny values to grow deep trees. */
export interface RopeOptions {
  /** Most code points in one leaf (default 1024, at least 4). */
  leafSize?: number;
  /** Most children of one branch (default 16, at least 4). */
  fanout?: number;
}

const DEFAULT_LEAF_SIZE = 1024;
const DEFAULT_FANOUT = 16;
const DEFAULT_SHAPE = makeShape(DEFAULT_LEAF_SIZE, DEFAULT_FANOUT);

function shapeOf(options: RopeOptions): Shape {
  const { leafSize = DEFAULT_LEAF_SIZE, fanout = DEFAULT_FANOUT } = options;
  if (leafSize === DEFAULT_LEAF_SIZE && fanout === DEFAULT_FANOUT) return DEFAULT_SHAPE;
  for (const [name, value] of [
    ["leafSize", leafSize],
    ["fanout", fanout],
  ] as const) {
    if (!Number.isInteger(value) || value < 4)
      throw new RopeError(`${name} must be an integer >= 4, got ${value}`);
  }
  return makeShape(leafSize, fanout);
}

function checkText(text: unknown, what: string): asserts text is string {
  if (typeof text !== "string") throw new RopeError(`${what} must be a string, got ${typeof text}`);
  if (!isWellFormed(text)) throw new RopeError(`${what} is not well-formed UTF-16 (it has a lone surrogate)`);
}

export class Rope {
  #root: Node;
  readonly #shape: Shape;

  private constructor(root: Node, shape: Shape) {
    this.#root = root;
    this.#shape = shape;
  }

  /** A rope holding `text`, which must be well-formed UTF-16. */
  static from(text: string, options: RopeOptions = {}): Rope {
    checkText(text, "text");
    const shape = shapeOf(options);
    return new Rope(buildTree(text, countCodePoints(text), shape), shape);
  }

  /** Length in code points: the unit of every position and count. */
  get length(): number {
    return this.#root.chars;
  }

  /** Length in UTF-16 code units, what `String.prototype.length` would say. */
  get utf16Length(): number {
    return this.#root.units;
  }

  /** Inserts well-formed `text` at code point `pos` (0..length). */
  insert(pos: number, text: string): void {
    this.#checkRange(pos, 0, "insert");
    checkText(text, "inserted text");
    if (text.length > 0) this.#insert(pos, text, countCodePoints(text));
  }

  /** Deletes `count` code points at `pos` and returns them. */
  delete(pos: number, count: number): string {
    this.#checkRange(pos, count, "delete");
    if (count === 0) return "";
    const removed: string[] = [];
    this.#root = deleteText(this.#root, pos, count, removed, this.#shape);
    return removed.join("");
  }

  /** The `count` code points at `pos` (default: to the end). */
  slice(pos: number, count: number = Math.max(0, this.length - pos)): string {
    this.#checkRange(pos, count, "slice");
    return this.#slice(pos, count);
  }

  toString(): string {
    const parts: string[] = [];
    collectAll(this.#root, parts);
    return parts.join("");
  }

  /** UTF-16 offset of code point `pos` (0..length), for editors that count in UTF-16 units. */
  utf16Offset(pos: number): number {
    this.#checkRange(pos, 0, "utf16Offset");
    return unitsBefore(this.#root, pos);
  }

  /**
   * Applies an op in the ot-text-unicode format (a number skips, a string inserts, `{d}` deletes). The op
   * is checked against the document first, so a rejected op (RopeError) leaves the rope untouched; then
   * its components are applied in one pass with a cursor, each an O(log n) edit.
   */
  applyOp(op: TextOp): void {
    checkOp(op, this.length, (pos, count) => this.#slice(pos, count));
    let cursor = 0;
    for (const component of op) {
      if (typeof component === "number") cursor += component;
      else if (typeof component === "string") {
        const chars = countCodePoints(component);
        this.#insert(cursor, component, chars);
        cursor += chars;
      } else {
        const count = typeof component.d === "number" ? component.d : countCodePoints(component.d);
        this.#root = deleteText(this.#root, cursor, count, null, this.#shape);
      }
    }
  }

  /** The tree itself, for invariant checks in tests. Not part of the API. */
  get internalTree(): { root: Node; shape: Shape } {
    return { root: this.#root, shape: this.#shape };
  }

  #insert(pos: number, text: string, chars: number): void {
    this.#root = insertText(this.#root, pos, text, chars, this.#shape);
  }

  #slice(pos: number, count: number): string {
    if (count === 0) return "";
    const parts: string[] = [];
    collectRange(this.#root, pos, count, parts);
    return parts.join("");
  }

  #checkRange(pos: number, count: number, what: string): void {
    if (!Number.isInteger(pos) || !Number.isInteger(count) || pos < 0 || count < 0)
      throw new RopeError(`${what}: position and count must be integers >= 0, got ${pos} and ${count}`);
    if (pos + count > this.length)
      throw new RopeError(
        `${what}: range ${pos}..${pos + count} goes past the end of the document (length ${this.length})`,
      );
  }
}
