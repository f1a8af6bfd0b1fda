/**
 * Undo and redo of the user's own edits only. Each step is the inverse of an own edit, carrying the text
 * it deletes (so it can be inverted again for redo). Other people's ops transform the steps, as they
 * transform any concurrent op: text someone else inserted inside a step is skipped over, text they
 * deleted drops out of it. So undo never removes someone else's text, and never resurrects text
 * someone else deleted.
 *
 * A stack is a chain: the top step applies to the current text, the one below it to the text after the
 * top was undone, and so on. A remote op is therefore transformed down the chain, each step seeing the
 * remote op as rewritten by the steps above it.
 */
import { compose, invert, isNoop, type TextOp, transform } from "../ot/index.ts";

export interface UndoOptions {
  /** Most steps kept (default 500); the oldest are forgotten. */
  limit?: number;
  /** Own edits closer together than this (ms) form one step, like typing a word (default 600). */
  groupMs?: number;
  now?: () => number;
}

export class UndoManager {
  #undo: TextOp[] = [];
  #redo: TextOp[] = [];
  readonly #limit: number;
  readonly #groupMs: number;
  readonly #now: () => number;
  /** When the last own edit was recorded, while the next one may still join its step. */
  #groupAt: number | null = null;

  constructor(options: UndoOptions = {}) {
    this.#limit = options.limit ?? 500;
    this.#groupMs = options.groupMs ?? 600;
    this.#now = options.now ?? Date.now;
    if (!(Number.isSafeInteger(this.#limit) && this.#limit > 0 && this.#groupMs >= 0)) {
      throw new RangeError("limit must be a positive integer and groupMs >= 0");
    }
  }

  get canUndo(): boolean {
    return this.#undo.some((step) => !isNoop(step));
  }

  get canRedo(): boolean {
    return this.#redo.some((step) => !isNoop(step));
  }

  /** The user's own edit `op`, applied to `before`. Clears redo: typing after an undo starts a new branch. */
  record(op: TextOp, before: string): void {
    const inverse = invert(op, before);
    if (isNoop(inverse)) return;
    this.#redo = [];
    const now = this.#now();
    const top = this.#undo.length - 1;
    if (top >= 0 && this.#groupAt !== null && now - this.#groupAt <= this.#groupMs) {
      this.#undo[top] = compose(inverse, this.#undo[top]!); // undo this edit, then the earlier ones
    } else {
      this.#undo.push(inverse);
      if (this.#undo.length > this.#limit) this.#undo.shift();
    }
    this.#groupAt = now;
  }

  /** The next edit starts a new step (the caret moved, or a word ended). */
  breakGroup(): void {
    this.#groupAt = null;
  }

  /** Someone else's op, applied to the current text: both stacks are rewritten over it. */
  transform(op: TextOp): void {
    if (isNoop(op)) return;
    this.#undo = rebase(this.#undo, op);
    this.#redo = rebase(this.#redo, op);
  }

  /** The op that undoes the latest own step, against the current text (apply it as a local edit), or null. */
  undo(): TextOp | null {
    const step = popEffective(this.#undo);
    if (step === null) return null;
    this.#redo.push(invert(step));
    this.#groupAt = null;
    return step;
  }

  /** The op that redoes the latest undone step, or null. */
  redo(): TextOp | null {
    const step = popEffective(this.#redo);
    if (step === null) return null;
    this.#undo.push(invert(step));
    this.#groupAt = null;
    return step;
  }

  /** Forgets every step (the text was replaced wholesale). */
  clear(): void {
    this.#undo = [];
    this.#redo = [];
    this.#groupAt = null;
  }
}

/** Pops steps until one that still changes something (others may have deleted all a step touched). */
function popEffective(stack: TextOp[]): TextOp | null {
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) if (!isNoop(step)) return step;
  return null;
}

/** Transforms a chain of steps (last = top, applying to the current text) over `op`. */
function rebase(stack: readonly TextOp[], op: TextOp): TextOp[] {
  const out = new Array<TextOp>(stack.length);
  let other = op;
  for (let i = stack.length - 1; i >= 0; i--) {
    const step = stack[i]!;
    out[i] = transform(step, other, "left");
    other = transform(other, step, "right");
  }
  return out;
}
