/** Undo and redo of one's own edits, with other people's ops arriving in between. */
import { describe, expect, it } from "vitest";
import { apply, codePointLength, type TextOp } from "../ot/index.ts";
import { int, type Random, seededRandom } from "../ot/testing/random.ts";
import { UndoManager } from "./undo.ts";

/** A document with its own undo history: `mine` and `theirs` apply ops, undo/redo apply what the manager says. */
function editor(text: string, options: ConstructorParameters<typeof UndoManager>[0] = {}) {
  let clock = 0;
  const history = new UndoManager({ groupMs: 0, now: () => clock, ...options });
  const doc = {
    text,
    history,
    tick(ms = 1000) {
      clock += ms;
    },
    mine(op: TextOp) {
      const before = doc.text;
      doc.text = apply(before, op);
      history.record(op, before);
    },
    theirs(op: TextOp) {
      doc.text = apply(doc.text, op);
      history.transform(op);
    },
    undo() {
      const op = history.undo();
      if (op) doc.text = apply(doc.text, op);
      return op !== null;
    },
    redo() {
      const op = history.redo();
      if (op) doc.text = apply(doc.text, op);
      return op !== null;
    },
  };
  return doc;
}

describe("UndoManager", () => {
  it("undoes and redoes one's own edits in order", () => {
    const doc = editor("abc");
    doc.mine([3, "d"]);
    doc.tick();
    doc.mine([{ d: 1 }]);
    expect(doc.text).toBe("bcd");
    expect(doc.undo()).toBe(true);
    expect(doc.text).toBe("abcd");
    expect(doc.undo()).toBe(true);
    expect(doc.text).toBe("abc");
    expect(doc.history.canUndo).toBe(false);
    expect(doc.undo()).toBe(false);
    expect(doc.redo()).toBe(true);
    expect(doc.redo()).toBe(true);
    expect(doc.text).toBe("bcd");
    expect(doc.redo()).toBe(false);
  });

  it("never removes someone else's text, even inside one's own", () => {
    const doc = editor("");
    doc.mine(["hello world"]);
    doc.theirs([5, ", dear"]);
    doc.theirs(["Oh "]);
    expect(doc.text).toBe("Oh hello, dear world");
    doc.undo();
    expect(doc.text).toBe("Oh , dear");
    doc.redo();
    expect(doc.text).toBe("Oh hello, dear world");
  });

  it("does not bring back text someone else deleted, and skips steps left with nothing to do", () => {
    const doc = editor("keep 🦊 gone");
    doc.mine([5, { d: 2 }]); // delete "🦊 "
    doc.tick();
    doc.mine([5, "new "]);
    doc.theirs([5, { d: 8 }]); // they delete "new gone"
    expect(doc.text).toBe("keep ");
    expect(doc.undo()).toBe(true); // the insert's step is empty now: skipped, the delete is undone
    expect(doc.text).toBe("keep 🦊 ");
    expect(doc.history.canUndo).toBe(false);
  });

  it("groups edits made in quick succession into one step, and breaks groups when told", () => {
    const doc = editor("", { groupMs: 500 });
    for (const [i, c] of [..."word"].entries()) {
      doc.mine(i === 0 ? [c] : [i, c]);
      doc.tick(100);
    }
    doc.history.breakGroup();
    doc.mine([4, "!"]);
    doc.tick(600);
    doc.mine([5, "?"]);
    doc.undo();
    expect(doc.text).toBe("word!");
    doc.undo();
    expect(doc.text).toBe("word");
    doc.undo();
    expect(doc.text).toBe("");
  });

  it("clears redo when one types after an undo, and everything on clear()", () => {
    const doc = editor("a");
    doc.mine([1, "b"]);
    doc.undo();
    expect(doc.history.canRedo).toBe(true);
    doc.mine([1, "c"]);
    expect(doc.history.canRedo).toBe(false);
    expect(doc.redo()).toBe(false);
    doc.history.clear();
    expect(doc.history.canUndo).toBe(false);
    doc.mine([]); // nothing to record
    expect(doc.history.canUndo).toBe(false);
  });

  it("forgets the oldest steps beyond its limit", () => {
    const doc = editor("", { limit: 2 });
    for (const c of "abc") {
      doc.mine(doc.text ? [codePointLength(doc.text), c] : [c]);
      doc.tick();
    }
    while (doc.undo());
    expect(doc.text).toBe("a");
  });

  it("checks its options", () => {
    expect(() => new UndoManager({ limit: 0 })).toThrow(RangeError);
    expect(() => new UndoManager({ groupMs: -1 })).toThrow(RangeError);
    expect(new UndoManager().canUndo).toBe(false);
  });
});

// ---- seeded: after undoing everything, exactly the others' surviving text is left ----

const SEED = Number(process.env.DOCS_UNDO_SEED ?? 20_241_204);

/** Every inserted character is new: CJK for one side, astral CJK (surrogate pairs) for the other. */
function freshText(random: Random, next: () => number): string {
  let text = "";
  for (let n = 1 + int(random, 2); n > 0; n--) text += String.fromCodePoint(next());
  return text;
}

function randomEdit(random: Random, text: string, next: () => number): TextOp {
  const length = codePointLength(text);
  const at = int(random, length);
  const op: (number | string | { d: number })[] = at > 0 ? [at] : [];
  if (length > at && random() < 0.4) op.push({ d: 1 + int(random, Math.min(3, length - at) - 1) });
  else op.push(freshText(random, next));
  return op;
}

describe("UndoManager, seeded", () => {
  it("undoing every own step leaves the text others wrote and did not delete, in order", () => {
    for (let run = 0; run < 300; run++) {
      const random = seededRandom(SEED + run);
      let mineNext = 0x4e00;
      let theirsNext = 0x20000;
      const original = "0123456789";
      const doc = editor(original, { groupMs: 300 });
      const insertedByThem = new Set<string>();
      const deletedByThem = new Set<string>();
      for (let step = 0; step < 40; step++) {
        const roll = random();
        if (roll < 0.35) doc.mine(randomEdit(random, doc.text, () => mineNext++));
        else if (roll < 0.7) {
          const op = randomEdit(random, doc.text, () => theirsNext++);
          const before = [...doc.text];
          doc.theirs(op);
          const after = new Set(doc.text);
          for (const c of before) if (!after.has(c)) deletedByThem.add(c);
          for (const c of after) if (!before.includes(c)) insertedByThem.add(c);
        } else if (roll < 0.8) doc.undo();
        else if (roll < 0.88) doc.redo();
        else if (roll < 0.95) doc.tick(int(random, 600));
        else doc.history.breakGroup();
      }
      const before = [...doc.text];
      while (doc.undo());
      const context = `seed ${SEED + run}`;
      const left = [...doc.text];
      const mine = (c: string) => c.codePointAt(0)! >= 0x4e00 && c.codePointAt(0)! < 0x20000;
      expect(left.filter(mine), context).toEqual([]);
      // Theirs and the original text survive unless they deleted it; what we deleted comes back.
      const expected = [...original, ...insertedByThem].filter((c) => !deletedByThem.has(c));
      expect(new Set(left), context).toEqual(new Set(expected));
      expect(left.length, context).toBe(new Set(left).size);
      // What was there before undoing keeps its order.
      const kept = new Set(left);
      expect(
        left.filter((c) => before.includes(c)),
        context,
      ).toEqual(before.filter((c) => kept.has(c)));
    }
  });
});
