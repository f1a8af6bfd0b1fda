import { type Component, codePointLength, type TextOp } from "./components.ts";

/**
 * Collects components into the canonical form every function here returns, the form ot-text-unicode's
 * own normalize produces:
 * - no empty components (zero skips, empty inserts, empty deletes),
 * - adjacent components of one kind merged (two deletes merge into `{d: "text"}` only when both carry
 *   text; otherwise into `{d: N}`),
 * - no trailing skip.
 *
 * Inserts and deletes at one position keep their order. `["x", {d: 1}]` and `[{d: 1}, "x"]` apply alike,
 * but they are different ops under transform: the insert sits before or after the deleted text, which
 * decides where a concurrent insert at that boundary lands. Reordering would make us transform
 * differently from ShareDB clients running ot-text-unicode, and their documents would diverge from ours.
 */
export class OpBuilder {
  private readonly out: Component[] = [];

  skip(count: number): void {
    if (count <= 0) return;
    const last = this.out.length - 1;
    const previous = this.out[last];
    if (typeof previous === "number") this.out[last] = previous + count;
    else this.out.push(count);
  }

  insert(text: string): void {
    if (text === "") return;
    const last = this.out.length - 1;
    const previous = this.out[last];
    if (typeof previous === "string") this.out[last] = previous + text;
    else this.out.push(text);
  }

  /** `length` is the code point length of `deleted` when the caller already knows it. */
  delete(deleted: number | string, length?: number): void {
    if (deleted === 0 || deleted === "") return;
    const last = this.out.length - 1;
    const previous = this.out[last];
    if (typeof previous !== "object") {
      this.out.push({ d: deleted });
    } else if (typeof previous.d === "string" && typeof deleted === "string") {
      this.out[last] = { d: previous.d + deleted }; // both carry their text: keep it, the op stays invertible
    } else {
      const previousCount = typeof previous.d === "number" ? previous.d : codePointLength(previous.d);
      const count = typeof deleted === "number" ? deleted : (length ?? codePointLength(deleted));
      this.out[last] = { d: previousCount + count };
    }
  }

  push(component: Component): void {
    if (typeof component === "number") this.skip(component);
    else if (typeof component === "string") this.insert(component);
    else this.delete(component.d);
  }

  /** The canonical op; the builder must not be used afterwards. */
  finish(): TextOp {
    if (typeof this.out[this.out.length - 1] === "number") this.out.pop();
    return this.out;
  }
}
