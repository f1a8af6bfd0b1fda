import {
  advanceCodePoints,
  type Component,
  type ComponentKind,
  componentLength,
  kindOf,
  type TextOp,
} from "./components.ts";

/**
 * Walks an op's components and hands out prefixes of them, measured in code points, so transform and
 * compose can line two ops up piece by piece. Strings are cut at code point boundaries only. Past the last
 * component the op behaves as an endless skip (its implicit trailing skip).
 */
export class OpReader {
  private index = 0;
  /** Code points of the current component already handed out. */
  private taken = 0;
  /** UTF-16 units of the current component's string already handed out. */
  private takenUnits = 0;
  /** Code point length of the current component. */
  private length: number;

  constructor(private readonly op: TextOp) {
    this.length = this.lengthAt(0);
  }

  /** Kind of the current component, "end" past the last one. */
  kind(): ComponentKind | "end" {
    const component = this.op[this.index];
    return component === undefined ? "end" : kindOf(component);
  }

  /** Code points left in the current component; Infinity at the end. */
  remaining(): number {
    return this.length - this.taken;
  }

  /** Takes up to `max` code points of the current component (a skip of `max` at the end). */
  take(max: number): Component {
    const component = this.op[this.index];
    if (component === undefined) return max;
    const left = this.length - this.taken;
    if (max >= left && this.taken === 0) {
      // The whole component: hand it out as is (ops are immutable), no slicing.
      this.next();
      return component;
    }
    const count = Math.min(max, left);
    let piece: Component;
    if (typeof component === "number") piece = count;
    else if (typeof component === "string") piece = this.takeText(component, count);
    else piece = typeof component.d === "number" ? { d: count } : { d: this.takeText(component.d, count) };
    this.advance(count);
    return piece;
  }

  /** Everything left of the current component. */
  takeAll(): Component {
    return this.take(Infinity);
  }

  /** Moves past up to `max` code points of the current component without building the piece. */
  skip(max: number): void {
    const component = this.op[this.index];
    if (component === undefined) return;
    const left = this.length - this.taken;
    if (max >= left) {
      this.next();
      return;
    }
    const text = typeof component === "string" ? component : typeof component === "object" ? component.d : 0;
    if (typeof text === "string") this.takenUnits = this.unitsAfter(text, max);
    this.advance(max);
  }

  private takeText(text: string, count: number): string {
    const start = this.takenUnits;
    this.takenUnits = this.unitsAfter(text, count);
    return text.slice(start, this.takenUnits);
  }

  /** UTF-16 index `count` code points after the taken part of `text`. */
  private unitsAfter(text: string, count: number): number {
    // A string whose code point length equals its UTF-16 length has no pairs: offsets need no scan.
    return this.length === text.length
      ? this.takenUnits + count
      : advanceCodePoints(text, this.takenUnits, count);
  }

  private advance(count: number): void {
    this.taken += count;
    if (this.taken === this.length) this.next();
  }

  private next(): void {
    this.index++;
    this.taken = 0;
    this.takenUnits = 0;
    this.length = this.lengthAt(this.index);
  }

  private lengthAt(index: number): number {
    const component = this.op[index];
    return component === undefined ? Infinity : componentLength(component);
  }
}
