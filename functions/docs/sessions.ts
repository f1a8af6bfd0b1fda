/**
 * The open documents of this process: one DocumentSession per document, so this process sequences each
 * document in memory. Sessions open lazily from the store; the Map holds the opening promise, so two
 * concurrent first requests share one session instead of racing to build two.
 */
import { DocumentSession, type SessionOptions } from "./session.ts";
import type { SessionStore } from "./session-store.ts";

export class SessionRegistry {
  readonly #open = new Map<string, Promise<DocumentSession>>();

  constructor(
    private readonly store: SessionStore,
    private readonly options: SessionOptions = {},
  ) {}

  async create(id: string, content: string): Promise<DocumentSession> {
    const session = await DocumentSession.create(id, this.store, content, this.options);
    this.#open.set(id, Promise.resolve(session));
    return session;
  }

  get(id: string): Promise<DocumentSession> {
    let session = this.#open.get(id);
    if (!session) {
      const opening = DocumentSession.open(id, this.store, this.options);
      this.#open.set(id, opening);
      // A failed open is not cached: the next request tries again.
      opening.catch(() => {
        if (this.#open.get(id) === opening) this.#open.delete(id);
      });
      session = opening;
    }
    return session;
  }

  forget(id: string): void {
    this.#open.delete(id);
  }

  get size(): number {
    return this.#open.size;
  }
}
