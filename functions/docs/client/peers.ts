/**
 * The other people in the room as one client tracks them. Each selection is kept in server coordinates
 * (at the version the client is at) and moved by every op with protocol.ts's moveSelection, exactly as
 * the server moves it; the client shows it in local coordinates by moving it through its own edits the
 * server has not applied yet.
 */
import type { Selection, TextOp } from "../ot/index.ts";
import { moveSelection, type PeerView } from "../protocol.ts";

/** A peer as a client draws it: the selection is in local coordinates. */
export interface LocalPeer {
  id: string;
  user: string;
  name: string;
  color: string;
  sel: Selection | null;
}

export class PeerSelections {
  readonly #peers = new Map<string, { view: PeerView; sel: Selection | null }>();

  get size(): number {
    return this.#peers.size;
  }

  /** Everyone an `init` named, with their selections at its version. */
  reset(views: readonly PeerView[]): void {
    this.#peers.clear();
    for (const view of views) this.join(view);
  }

  join(view: PeerView): void {
    this.#peers.set(view.id, { view, sel: view.sel });
  }

  /** False when there was no such peer. */
  leave(id: string): boolean {
    return this.#peers.delete(id);
  }

  /** A peer's selection at the current version; false for an unknown peer. */
  place(id: string, sel: Selection | null): boolean {
    const peer = this.#peers.get(id);
    if (peer) peer.sel = sel;
    return peer !== undefined;
  }

  /** Forgets everyone; false when there was no one. */
  clear(): boolean {
    const had = this.#peers.size > 0;
    this.#peers.clear();
    return had;
  }

  /** The server applied `op`, written by `src`: its author's caret follows their typing. */
  move(op: TextOp, src: string): void {
    for (const [id, peer] of this.#peers) if (peer.sel) peer.sel = moveSelection(peer.sel, op, id === src);
  }

  /** Everyone, with selections moved through `unapplied` (local edits the server has not applied). */
  local(unapplied: readonly TextOp[]): LocalPeer[] {
    return [...this.#peers.values()].map(({ view, sel }) => {
      let local = sel;
      for (const op of unapplied) if (local) local = moveSelection(local, op, false);
      return { id: view.id, user: view.user, name: view.name, color: view.color, sel: local };
    });
  }
}
