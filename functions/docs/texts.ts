/**
 * The text side of documents, as the HTTP API needs it (the metadata and access list are documents.ts).
 * On Node the texts are sessions in this process (SessionRegistry); on the edge each document is a
 * DocumentRoom Durable Object reached over RPC. Both run the same session code through the helpers
 * below, so an update means the same thing on either runtime.
 */
import { diffToOp, isNoop, OpError, type TextOp } from "./ot/index.ts";
import { CLOSE } from "./protocol.ts";
import { type DocumentSession, SessionError, type Submission } from "./session.ts";
import type { SessionStore, StoredOp } from "./session-store.ts";
import type { SessionRegistry } from "./sessions.ts";

export interface TextState {
  version: number;
  content: string;
}

/** The result of an update: the version after it and the op as applied (null for a duplicate or no-op). */
export interface UpdateOutcome {
  version: number;
  op: TextOp | null;
  duplicate: boolean;
}

export interface TextHistory {
  version: number;
  ops: StoredOp[];
}

export interface DocumentTexts {
  /** Creates the text at version 0; SessionError `already_exists` when the id is taken. */
  create(id: string, content: string): Promise<void>;
  read(id: string): Promise<TextState>;
  /** Sequences `{v, op, src, seq}` like an op from a socket (connected clients receive it). */
  submit(id: string, submission: Submission): Promise<UpdateOutcome>;
  /** Replaces the whole text: the difference from the current text, submitted at the current version. */
  replace(id: string, content: string, src: string, seq: number): Promise<UpdateOutcome>;
  /** Ops from version `from`, at most `limit`, and the current version. */
  history(id: string, from: number, limit: number): Promise<TextHistory>;
  /** Deletes the text and disconnects its sockets (on every replica). */
  delete(id: string): Promise<void>;
  /**
   * `user`'s role on the document changed: their open sockets (on every replica) close with
   * CLOSE.roleChanged, so they reconnect and the handshake gives them the new role. Opens nothing.
   */
  roleChanged(id: string, user: string): Promise<void>;
}

export async function submitToSession(
  session: DocumentSession,
  submission: Submission,
): Promise<UpdateOutcome> {
  const ack = await session.submit(submission);
  return ack.duplicate
    ? { version: ack.version, op: null, duplicate: true }
    : { version: ack.version, op: ack.op, duplicate: false };
}

/** Diffed against the text at the current version and submitted at it, so ops queued meanwhile transform it. */
export async function replaceInSession(
  session: DocumentSession,
  content: string,
  src: string,
  seq: number,
): Promise<UpdateOutcome> {
  await session.idle();
  let op: TextOp;
  try {
    op = diffToOp(session.text(), content);
  } catch (error) {
    if (error instanceof OpError) throw new SessionError("invalid_submission", `content: ${error.message}`);
    throw error;
  }
  if (isNoop(op)) return { version: session.version, op: [], duplicate: false };
  return submitToSession(session, { v: session.version, op, src, seq });
}

export async function historyOfSession(
  session: DocumentSession,
  from: number,
  limit: number,
): Promise<TextHistory> {
  const version = session.version;
  return { version, ops: await session.history(from, from + limit) };
}

/** Texts sequenced in this process: one session per open document (sessions.ts). */
export class LocalDocumentTexts implements DocumentTexts {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly store: SessionStore,
  ) {}

  async create(id: string, content: string): Promise<void> {
    await this.sessions.create(id, content);
  }

  async read(id: string): Promise<TextState> {
    const session = await this.sessions.get(id);
    return { version: session.version, content: session.text() };
  }

  async submit(id: string, submission: Submission): Promise<UpdateOutcome> {
    return submitToSession(await this.sessions.get(id), submission);
  }

  async replace(id: string, content: string, src: string, seq: number): Promise<UpdateOutcome> {
    return replaceInSession(await this.sessions.get(id), content, src, seq);
  }

  async history(id: string, from: number, limit: number): Promise<TextHistory> {
    return historyOfSession(await this.sessions.get(id), from, limit);
  }

  /** Waits for queued submissions, so none lands in the op log after its rows are gone. */
  async delete(id: string): Promise<void> {
    const session = await this.sessions.get(id).catch(() => undefined);
    await session?.idle();
    this.sessions.forget(id, CLOSE.deleted, "document deleted");
    try {
      await this.store.remove(id);
    } finally {
      // Told after the rows are gone, so no replica can open it again; told even if removing failed,
      // since the metadata is already gone and nobody may use the text.
      await this.sessions.publish(id, { kind: "deleted" });
    }
  }

  async roleChanged(id: string, user: string): Promise<void> {
    this.sessions.disconnectUser(id, user, CLOSE.roleChanged, "your role changed");
    await this.sessions.publish(id, { kind: "role", user });
  }
}
