/**
 * Draws other people's cursors and selections over the textarea: a layer with the textarea's font,
 * padding and wrapping holds the same text (transparent), with selected ranges tinted in the peer's
 * colour and a caret with their name at each selection's head. Positions are code points; the layer
 * works in UTF-16, so they are converted on one pass over the text.
 */
import type { LocalPeer } from "./sync.ts";

/** UTF-16 offsets of the given code point positions (sorted ascending), in one scan. */
function toUnits(text: string, positions: number[]): Map<number, number> {
  const units = new Map<number, number>();
  let unit = 0;
  let point = 0;
  for (const position of positions) {
    while (point < position && unit < text.length) {
      const code = text.charCodeAt(unit);
      unit += code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length ? 2 : 1;
      point++;
    }
    units.set(position, unit);
  }
  return units;
}

function caret(peer: LocalPeer, position: number): HTMLElement {
  const mark = document.createElement("span");
  mark.className = "caret";
  mark.dataset.peer = peer.id;
  mark.dataset.pos = String(position);
  mark.style.borderColor = peer.color;
  const label = document.createElement("span");
  label.className = "caret-label";
  label.textContent = peer.name;
  label.style.backgroundColor = peer.color;
  mark.appendChild(label);
  return mark;
}

/** Redraws `layer` for `text` and the peers' selections (local coordinates). */
export function drawCursors(layer: HTMLElement, text: string, peers: readonly LocalPeer[]): void {
  const shown = peers.filter((peer) => peer.sel !== null);
  const cuts = new Set<number>([0]);
  for (const { sel } of shown) {
    cuts.add(sel!.anchor);
    cuts.add(sel!.head);
  }
  const positions = [...cuts].sort((a, b) => a - b);
  const units = toUnits(text, positions);
  const nodes: Node[] = [];
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    for (const peer of shown) if (peer.sel!.head === position) nodes.push(caret(peer, position));
    const from = units.get(position)!;
    const to = i + 1 < positions.length ? units.get(positions[i + 1]!)! : text.length;
    if (to <= from) continue;
    const piece = text.slice(from, to);
    const owner = shown.find(
      ({ sel }) =>
        Math.min(sel!.anchor, sel!.head) <= position && position < Math.max(sel!.anchor, sel!.head),
    );
    if (!owner) {
      nodes.push(document.createTextNode(piece));
      continue;
    }
    const range = document.createElement("span");
    range.className = "range";
    range.dataset.peer = owner.id;
    range.style.backgroundColor = owner.color;
    range.textContent = piece;
    nodes.push(range);
  }
  // A textarea keeps room for a line after a final newline; so does the layer.
  nodes.push(document.createTextNode("\u200b"));
  layer.replaceChildren(...nodes);
}
