/**
 * The session storage port over SQL, written once for SQLite: libSQL on Node and a Durable Object's
 * storage on the edge both run it through the SqlExecutor port. The op log's primary key (doc_id, v) and
 * a single guarded INSERT make `append` atomic even with several replicas on one database.
 */
import type { SqlExecutor, SqlRow } from "../shared/sql.ts";
import type { TextOp } from "./ot/index.ts";
import {
  type LoadedDocument,
  type OpEntry,
  type SessionStore,
  StoreConflictError,
  type StoredOp,
} from "./session-store.ts";

export const SESSION_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS doc_heads (
    doc_id TEXT PRIMARY KEY,
    snapshot_version INTEGER NOT NULL,
    snapshot TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS doc_ops (
    doc_id TEXT NOT NULL,
    v INTEGER NOT NULL,
    op TEXT NOT NULL,
    src TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (doc_id, v)
  )`,
];

interface OpRow extends SqlRow {
  v: number;
  op: string;
  src: string;
  seq: number;
}

/** Inserts op ?2 only if the document exists and ?2 is its next version; never replaces a stored op. */
const APPEND_NEXT = `INSERT INTO doc_ops (doc_id, v, op, src, seq)
  SELECT ?1, ?2, ?3, ?4, ?5
  WHERE EXISTS (SELECT 1 FROM doc_heads WHERE doc_id = ?1)
    AND ?2 = COALESCE((SELECT MAX(v) FROM doc_ops WHERE doc_id = ?1), -1) + 1
  ON CONFLICT (doc_id, v) DO NOTHING`;

const toStored = (row: OpRow): StoredOp => ({
  v: row.v,
  op: JSON.parse(row.op) as TextOp,
  src: row.src,
  seq: row.seq,
});

export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: SqlExecutor) {}

  async create(docId: string, content: string): Promise<void> {
    const { changes } = await this.db.run(
      "INSERT INTO doc_heads (doc_id, snapshot_version, snapshot) VALUES (?, 0, ?) ON CONFLICT (doc_id) DO NOTHING",
      [docId, content],
    );
    if (changes !== 1) throw new StoreConflictError(`document ${docId} already exists`);
  }

  /**
   * One statement, so SQLite makes it atomic: the op is written only if the document exists and `version`
   * is exactly one past its last op (MAX over the primary key: O(log n), not a count).
   */
  async append(docId: string, version: number, entry: OpEntry): Promise<void> {
    const { changes } = await this.db.run(APPEND_NEXT, [
      docId,
      version,
      JSON.stringify(entry.op),
      entry.src,
      entry.seq,
    ]);
    if (changes !== 1) {
      const [head] = await this.db.query<{ next: number } & SqlRow>(
        "SELECT COALESCE(MAX(v), -1) + 1 AS next FROM doc_ops WHERE doc_id = ?",
        [docId],
      );
      const exists = await this.#exists(docId);
      throw new StoreConflictError(
        exists
          ? `document ${docId} is at version ${head?.next ?? 0}, not ${version}`
          : `document ${docId} does not exist`,
      );
    }
  }

  /**
   * Stores ops another component sequenced (the Redis store's log), in order and atomically, each only if
   * it is the next version: an op already stored stays as it is and nothing leaves a gap. Callers read the
   * versions back to learn which ops SQL holds.
   */
  async persist(docId: string, entries: readonly StoredOp[]): Promise<void> {
    await this.db.batch(
      entries.map((entry) => ({
        sql: APPEND_NEXT,
        args: [docId, entry.v, JSON.stringify(entry.op), entry.src, entry.seq],
      })),
    );
  }

  /** The version the next op gets (one past the last stored op), or null for an unknown document. */
  async nextVersion(docId: string): Promise<number | null> {
    const [row] = await this.db.query<{ found: number; next: number } & SqlRow>(
      `SELECT EXISTS (SELECT 1 FROM doc_heads WHERE doc_id = ?1) AS found,
              COALESCE((SELECT MAX(v) FROM doc_ops WHERE doc_id = ?1), -1) + 1 AS next`,
      [docId],
    );
    return row!.found ? row!.next : null;
  }

  async load(docId: string): Promise<LoadedDocument | null> {
    const [head] = await this.db.query<{ snapshot_version: number; snapshot: string } & SqlRow>(
      "SELECT snapshot_version, snapshot FROM doc_heads WHERE doc_id = ?",
      [docId],
    );
    if (!head) return null;
    const rows = await this.db.query<OpRow>(
      "SELECT v, op, src, seq FROM doc_ops WHERE doc_id = ? AND v >= ? ORDER BY v",
      [docId, head.snapshot_version],
    );
    return { snapshot: { version: head.snapshot_version, content: head.snapshot }, ops: rows.map(toStored) };
  }

  /** Moves the snapshot forward only: a late writer with an older version changes nothing. */
  async snapshot(docId: string, version: number, content: string): Promise<void> {
    const [head] = await this.db.query<{ next: number } & SqlRow>(
      "SELECT COALESCE(MAX(v), -1) + 1 AS next FROM doc_ops WHERE doc_id = ?",
      [docId],
    );
    if (!(await this.#exists(docId))) throw new StoreConflictError(`document ${docId} does not exist`);
    const next = head?.next ?? 0;
    if (!Number.isInteger(version) || version < 0 || version > next) {
      throw new StoreConflictError(`document ${docId} has no version ${version} (at ${next})`);
    }
    await this.db.run(
      "UPDATE doc_heads SET snapshot_version = ?, snapshot = ? WHERE doc_id = ? AND snapshot_version <= ?",
      [version, content, docId, version],
    );
  }

  async ops(docId: string, from: number, to?: number): Promise<StoredOp[]> {
    if (!(await this.#exists(docId))) throw new StoreConflictError(`document ${docId} does not exist`);
    const rows = await this.db.query<OpRow>(
      "SELECT v, op, src, seq FROM doc_ops WHERE doc_id = ? AND v >= ? AND v < ? ORDER BY v",
      [docId, from, to ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map(toStored);
  }

  async remove(docId: string): Promise<void> {
    await this.db.batch([
      { sql: "DELETE FROM doc_ops WHERE doc_id = ?", args: [docId] },
      { sql: "DELETE FROM doc_heads WHERE doc_id = ?", args: [docId] },
    ]);
  }

  async #exists(docId: string): Promise<boolean> {
    const rows = await this.db.query("SELECT 1 AS ok FROM doc_heads WHERE doc_id = ?", [docId]);
    return rows.length === 1;
  }
}
