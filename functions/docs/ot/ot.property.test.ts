/**
 * Seeded randomized properties of the text OT type, 16,500 cases per run. Every case draws from its own
 * seed, so a failure names the case to rerun: `OT_SEED=<seed> npx vitest run functions/docs/ot`.
 * Documents and ops are dense with astral characters (emoji sharing surrogates), and ops mix every
 * component kind, counted and text deletes, canonical or not.
 */
import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import type { Side, TextOp } from "./components.ts";
import { compose } from "./compose.ts";
import { diffToOp } from "./diff.ts";
import { invert, makeInvertible } from "./invert.ts";
import { baseLength, lengthDelta } from "./lengths.ts";
import { isCanonical, normalize } from "./normalize.ts";
import { transformPosition, transformSelection } from "./position.ts";
import {
  applyNaive,
  hasCanonicalShape,
  int,
  type Random,
  randomDoc,
  randomOp,
  randomText,
  SEED,
  scramble,
  seededRandom,
  trackCharacters,
  wellFormed,
} from "./testing/random.ts";
import { transform } from "./transform.ts";

/**
 * Runs `count` cases of a property. `note` records the inputs so a failure prints them with the seed
 * and the case number.
 */
function forCases(
  property: number,
  count: number,
  body: (random: Random, note: (inputs: object) => void) => void,
) {
  let ran = 0;
  for (let index = 0; index < count; index++) {
    const caseSeed = (SEED + property * 1_000_003 + index) >>> 0;
    let inputs: object = {};
    try {
      body(seededRandom(caseSeed), (recorded) => {
        inputs = recorded;
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `case ${index} failed (OT_SEED=${SEED}, case seed ${caseSeed}): ${reason}\ninputs: ${JSON.stringify(inputs)}`,
      );
    }
    ran++;
  }
  return ran;
}

/** Throws with both values when they differ (cheap on the passing path: no message is built). */
function same<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected)
    throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

function holds(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

const canonicalAndWhole = (op: TextOp, what: string) => {
  // normalize validates every string: a half emoji (lone surrogate) in any piece fails here.
  holds(isCanonical(op), `${what} is not canonical and well formed: ${JSON.stringify(op)}`);
  holds(hasCanonicalShape(op), `${what} breaks the canonical form's rules: ${JSON.stringify(op)}`);
};

describe(`OT properties (seed ${SEED})`, () => {
  it("TP1: both orders converge, on either side", () => {
    const ran = forCases(1, 3000, (random, note) => {
      const doc = randomDoc(random);
      const a = randomOp(random, doc);
      const b = randomOp(random, doc);
      note({ doc, a, b });
      for (const aSide of ["left", "right"] as Side[]) {
        const bSide: Side = aSide === "left" ? "right" : "left";
        const bAfterA = transform(b, a, bSide);
        const aAfterB = transform(a, b, aSide);
        canonicalAndWhole(bAfterA, "transform(b, a)");
        canonicalAndWhole(aAfterB, "transform(a, b)");
        const viaA = apply(apply(doc, a), bAfterA);
        same(viaA, apply(apply(doc, b), aAfterB), `a on the ${aSide}`);
        holds(wellFormed(viaA), "the converged document has a lone surrogate");
      }
    });
    expect(ran).toBe(3000);
  });

  it("compose: applying compose(a, b) equals applying a then b", () => {
    const ran = forCases(2, 3000, (random, note) => {
      const doc = randomDoc(random);
      const a = randomOp(random, doc);
      const middle = apply(doc, a);
      const b = randomOp(random, middle);
      note({ doc, a, b });
      const composed = compose(a, b);
      canonicalAndWhole(composed, "compose(a, b)");
      same(apply(doc, composed), apply(middle, b), "apply(compose(a, b))");
      same(apply(middle, b), applyNaive(middle, b), "apply against the naive walk");
      same(lengthDelta(composed), lengthDelta(a) + lengthDelta(b), "lengthDelta of the composition");
    });
    expect(ran).toBe(3000);
  });

  it("invert: an op's inverse restores the document", () => {
    const ran = forCases(3, 3000, (random, note) => {
      const doc = randomDoc(random);
      const op = randomOp(random, doc);
      note({ doc, op });
      const after = apply(doc, op);
      const inverse = invert(op, doc);
      canonicalAndWhole(inverse, "invert(op, doc)");
      same(apply(after, inverse), doc, "apply(apply(doc, op), invert(op, doc))");
      const invertible = makeInvertible(op, doc);
      same(apply(doc, invertible), after, "makeInvertible keeps the edit");
      same(JSON.stringify(invert(invertible)), JSON.stringify(inverse), "invert without the document");
      const chars = Array.from(doc);
      const fromSlice = invert(op, (start, end) => chars.slice(start, end).join(""));
      same(JSON.stringify(fromSlice), JSON.stringify(inverse), "invert through a document slice");
      same(JSON.stringify(invert(inverse, after)), JSON.stringify(invertible), "inverting twice");
    });
    expect(ran).toBe(3000);
  });

  it("transformPosition: a cursor keeps its character, and selections keep their order", () => {
    const ran = forCases(4, 2500, (random, note) => {
      const doc = randomDoc(random);
      const op = randomOp(random, doc);
      note({ doc, op });
      const length = Array.from(doc).length;
      const moved = trackCharacters(length, op);
      const newLength = Array.from(apply(doc, op)).length;
      let previous = { left: 0, right: 0 };
      for (let cursor = 0; cursor <= length; cursor++) {
        const right = transformPosition(cursor, op);
        const left = transformPosition(cursor, op, "left");
        // Right side: the character after the cursor is still after it, unless deleted.
        const after = cursor < length ? moved[cursor]! : newLength;
        if (after >= 0) same(right, after, `cursor ${cursor} on the right`);
        // Left side: the character before the cursor is still before it, unless deleted.
        const before = cursor > 0 ? moved[cursor - 1]! : -1;
        if (before >= 0 || cursor === 0) same(left, before + 1, `cursor ${cursor} on the left`);
        holds(
          left <= right && right <= newLength,
          `cursor ${cursor}: left ${left} right ${right} out of order`,
        );
        holds(left >= previous.left && right >= previous.right, `cursor ${cursor} moved backwards`);
        previous = { left, right };
      }
      const anchor = int(random, length);
      const head = int(random, length);
      const selection = transformSelection({ anchor, head }, op);
      holds(
        Math.sign(selection.head - selection.anchor) !== -Math.sign(head - anchor) ||
          selection.head === selection.anchor,
        `selection ${anchor}..${head} flipped to ${selection.anchor}..${selection.head}`,
      );
    });
    expect(ran).toBe(2500);
  });

  it("astral characters survive whole: diffToOp between related texts", () => {
    const swaps: Record<string, string> = {
      "😀": "😁",
      "😁": "🙂",
      "🙂": "😀",
      "𝄞": "🔞",
      "👍": "👎",
      "🏽": "🏿",
    };
    const ran = forCases(5, 2500, (random, note) => {
      const before = randomDoc(random, 16);
      // Either a random edit, or one astral character swapped for another sharing a surrogate with it.
      const chars = Array.from(before);
      const swappable = chars.findIndex((c) => c in swaps);
      const after =
        random() < 0.5 && swappable >= 0
          ? chars.map((c, i) => (i === swappable ? swaps[c]! : c)).join("")
          : apply(before, randomOp(random, before));
      const invertible = random() < 0.5;
      note({ before, after, invertible });
      const op = diffToOp(before, after, { invertible });
      canonicalAndWhole(op, "diffToOp");
      same(apply(before, op), after, "apply(before, diffToOp(before, after))");
      holds(baseLength(op) <= chars.length, "the diff reaches past the old text");
      if (before === after) same(op.length, 0, "diff of equal texts");
    });
    expect(ran).toBe(2500);
  });

  it("normalize: idempotent, canonical, and the same edit as the op it was given", () => {
    const ran = forCases(6, 2500, (random, note) => {
      const doc = randomDoc(random) + randomText(random, 3);
      const raw = scramble(random, randomOp(random, doc), Array.from(doc).length);
      note({ doc, raw });
      const canonical = normalize(raw);
      canonicalAndWhole(canonical, "normalize(raw)");
      same(normalize(canonical), canonical, "normalize of a canonical op returns it");
      same(
        JSON.stringify(normalize(structuredClone(raw))),
        JSON.stringify(canonical),
        "normalize is deterministic",
      );
      const expected = applyNaive(doc, raw);
      same(apply(doc, raw), expected, "apply(raw) against the naive walk");
      same(apply(doc, canonical), expected, "apply(normalize(raw)) against the naive walk");
      same(baseLength(canonical) <= baseLength(raw), true, "normalizing only drops skips");
    });
    expect(ran).toBe(2500);
  });
});
