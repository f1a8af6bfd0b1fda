/**
 * Between a textarea, which counts UTF-16 units, and ops and selections, which count code points.
 */
import { codePointLength, diffToOp, type Selection, type TextOp } from "../ot/index.ts";

export const toPoints = (text: string, units: number): number => codePointLength(text.slice(0, units));

export function toUnits(text: string, points: number): number {
  let unit = 0;
  for (let point = 0; point < points && unit < text.length; point++) {
    const code = text.charCodeAt(unit);
    unit += code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length ? 2 : 1;
  }
  return unit;
}

/** The textarea's selection in code points of `text` (what it shows), direction kept. */
export function readSelection(area: HTMLTextAreaElement, text: string): Selection {
  const start = toPoints(text, area.selectionStart);
  const end = toPoints(text, area.selectionEnd);
  return area.selectionDirection === "backward" ? { anchor: end, head: start } : { anchor: start, head: end };
}

export function writeSelection(area: HTMLTextAreaElement, text: string, sel: Selection): void {
  const [anchor, head] = [toUnits(text, sel.anchor), toUnits(text, sel.head)];
  area.setSelectionRange(
    Math.min(anchor, head),
    Math.max(anchor, head),
    head < anchor ? "backward" : "forward",
  );
}

const isCut = (text: string, i: number) => i <= 0 || (text.charCodeAt(i - 1) & 0xfc00) !== 0xd800;

/**
 * The op that turned `before` into `after`, given the caret (UTF-16) after the change. Typing or
 * deleting at the caret is placed at the caret: a plain diff would put an "l" typed in "hel|lo" after
 * the second "l", and others would see the caret jump. Anything else (a paste over a selection) is a
 * plain diff. (An insert with a lone surrogate is refused later, by DocumentSync.localOp.)
 */
export function inputOp(before: string, after: string, caret: number): TextOp {
  const grown = after.length - before.length;
  const at = grown > 0 ? caret - grown : caret;
  if (at >= 0 && isCut(after, at) && before.startsWith(after.slice(0, at))) {
    const skip = codePointLength(after.slice(0, at));
    const lead = skip > 0 ? [skip] : [];
    if (grown > 0 && isCut(after, caret) && before.slice(at) === after.slice(caret)) {
      return [...lead, after.slice(at, caret)];
    }
    if (grown < 0 && isCut(before, at - grown) && after.slice(at) === before.slice(at - grown)) {
      return [...lead, { d: codePointLength(before.slice(at, at - grown)) }];
    }
  }
  return diffToOp(before, after);
}

/** Where the caret goes after an undo or redo: at the end of the last change. */
export function caretAfter(op: TextOp): number {
  let position = 0;
  let caret = 0;
  for (const component of op) {
    if (typeof component === "number") position += component;
    else if (typeof component === "string") caret = position += codePointLength(component);
    else caret = position;
  }
  return caret;
}
