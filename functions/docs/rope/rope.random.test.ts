/**
 * Seeded randomized tests: the rope against a plain array of code points over thousands of random edits,
 * with astral characters throughout. Tiny tree shapes grow deep trees from small texts, so splits, merges,
 * borrowing and chains are all exercised; the default shape runs on a 40,000-character document.
 */
import { describe, expect, it } from "vitest";
import { Rope, RopeError, type RopeOptions, type TextOp, type TextOpComponent } from "./index.ts";
import { checkInvariants } from "./testing/invariants.ts";
import { SeededRandom } from "./testing/random.ts";

const ALPHABET = ["a", "b", "c", " ", "\n", "é", "€", "中", "😀", "𝄞", "🏽", "👍"];

function randomText(random: SeededRandom, maxChars: number): string[] {
  const count = random.next() < 0.05 ? random.between(1, maxChars) : random.between(1, 6);
  return Array.from({ length: count }, () => random.pick(ALPHABET));
}

/** A random op valid for `model`, and the model after it. */
function randomOp(random: SeededRandom, model: string[], maxChars: number): { op: TextOp; after: string[] } {
  const op: TextOpComponent[] = [];
  const after: string[] = [];
  let pos = 0;
  const components = random.between(1, 6);
  for (let i = 0; i < components; i++) {
    const left = model.length - pos;
    const kind = random.int(4);
    if (kind === 0 && left > 0) {
      const skip = random.between(1, left);
      op.push(skip);
      after.push(...model.slice(pos, pos + skip));
      pos += skip;
    } else if (kind === 1 && left > 0) {
      const count = random.between(1, Math.min(left, 8));
      op.push(random.next() < 0.5 ? { d: count } : { d: model.slice(pos, pos + count).join("") });
      pos += count;
    } else if (typeof op[op.length - 1] !== "string") {
      const text = randomText(random, maxChars);
      op.push(text.join(""));
      after.push(...text);
    }
  }
  after.push(...model.slice(pos));
  return { op, after };
}

function check(rope: Rope, model: string[]): void {
  expect(rope.length).toBe(model.length);
  const text = model.join("");
  expect(rope.utf16Length).toBe(text.length);
  expect(rope.toString()).toBe(text);
}

interface Scenario {
  name: string;
  options: RopeOptions;
  initialChars: number;
  maxChars: number;
  steps: number;
  /** Whole-text comparison and invariant check every N steps (every step checks around the edit). */
  checkEvery: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: "leaves of 4, fanout 4",
    options: { leafSize: 4, fanout: 4 },
    initialChars: 200,
    maxChars: 300,
    steps: 3000,
    checkEvery: 1,
  },
  {
    name: "leaves of 16, fanout 5",
    options: { leafSize: 16, fanout: 5 },
    initialChars: 1500,
    maxChars: 600,
    steps: 3000,
    checkEvery: 2,
  },
  {
    name: "leaves of 64, fanout 8",
    options: { leafSize: 64, fanout: 8 },
    initialChars: 5000,
    maxChars: 2000,
    steps: 2000,
    checkEvery: 4,
  },
  { name: "default shape", options: {}, initialChars: 40_000, maxChars: 5000, steps: 2000, checkEvery: 25 },
];
const SEEDS = [1, 2, 3];

describe.each(SCENARIOS)("Rope vs a code-point array ($name)", (scenario) => {
  it.each(SEEDS)("seed %i", (seed) => {
    const random = new SeededRandom(seed * 7919 + scenario.initialChars);
    let model = Array.from({ length: scenario.initialChars }, () => random.pick(ALPHABET));
    const rope = Rope.from(model.join(""), scenario.options);
    let maxDepth = checkInvariants(rope).depth;
    for (let step = 1; step <= scenario.steps; step++) {
      const roll = random.next();
      // Deletes outweigh inserts once the text doubles, so it stays around its starting size.
      const shrink = model.length > 2 * scenario.initialChars;
      let touched = 0;
      if (roll < (shrink ? 0.1 : 0.35)) {
        const pos = random.between(0, model.length);
        const text = randomText(random, scenario.maxChars);
        rope.insert(pos, text.join(""));
        model.splice(pos, 0, ...text);
        touched = pos;
      } else if (roll < 0.7) {
        const pos = random.between(0, model.length);
        const big = random.next() < 0.05;
        const count = Math.min(
          model.length - pos,
          big ? random.between(0, scenario.maxChars * 2) : random.between(0, 6),
        );
        expect(rope.delete(pos, count)).toBe(model.splice(pos, count).join(""));
        touched = pos;
      } else if (roll < 0.97) {
        const { op, after } = randomOp(random, model, scenario.maxChars);
        rope.applyOp(op);
        model = after;
      } else {
        // An op whose last delete does not match: rejected, and nothing before it is applied.
        const { op } = randomOp(random, model, scenario.maxChars);
        const bad: TextOp = [...op, model.length > 0 ? { d: "\u0000" } : 1];
        expect(() => rope.applyOp(bad)).toThrow(RopeError);
      }
      expect(rope.length).toBe(model.length);
      const from = Math.max(0, touched - 3);
      const count = Math.min(model.length - from, 10);
      expect(rope.slice(from, count)).toBe(model.slice(from, from + count).join(""));
      if (step % scenario.checkEvery === 0 || step === scenario.steps) {
        check(rope, model);
        maxDepth = Math.max(maxDepth, checkInvariants(rope).depth);
        const pos = random.between(0, model.length);
        expect(rope.utf16Offset(pos)).toBe(model.slice(0, pos).join("").length);
      }
    }
    // The shapes are chosen so that the trees really are deep.
    expect(maxDepth).toBeGreaterThanOrEqual(2);
  });
});
