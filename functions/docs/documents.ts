/**
 * Document metadata and the access list, in SQL written once for SQLite (libSQL on Node, Durable Object
 * storage later). The text itself lives in the session store's tables (session-store-sql.ts).
 */
import type { SqlExecutor, SqlRow } from "../shared/sql.ts";
import type { Role } from "./roles.ts";

export const DOCUMENTS_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS document_acl (
    doc_id TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'owner')),
    PRIMARY KEY (doc_id, user)
  )`,
  // "Mine" lists by user; the primary key already serves lookups by document.
  "CREATE INDEX IF NOT EXISTS document_acl_by_user ON document_acl (user)",
];

export interface DocumentRecord {
  id: string;
  title: string;
  owner: string;
  createdAt: number;
  updatedAt: number;
}

/** A document as one user sees it in a listing. */
export interface DocumentListing extends DocumentRecord {
  role: Role;
}

interface DocumentRow extends SqlRow {
  id: string;
  title: string;
  owner: string;
  created_at: number;
  updated_at: number;
}

const toRecord = (row: DocumentRow): DocumentRecord => ({
  id: row.id,
  title: row.title,
  owner: row.owner,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A random URL-safe id: 16 base64url characters (96 bits), so ids cannot be guessed. */
export function newDocumentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

const TOUCH_EVERY_MS = 1000;
/** Documents whose last touch is remembered; beyond it the memory starts over (one extra write each). */
const MAX_TOUCHED = 10_000;

export class DocumentStore {
  readonly #touched = new Map<string, number>();

  constructor(private readonly db: SqlExecutor) {}

  /** The document row and its owner's ACL entry, atomically. */
  async create(doc: DocumentRecord): Promise<void> {
    await this.db.batch([
      {
        sql: "INSERT INTO documents (id, title, owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        args: [doc.id, doc.title, doc.owner, doc.createdAt, doc.updatedAt],
      },
      {
        sql: "INSERT INTO document_acl (doc_id, user, role) VALUES (?, ?, 'owner')",
        args: [doc.id, doc.owner],
      },
    ]);
  }

  async get(id: string): Promise<DocumentRecord | undefined> {
    const [row] = await this.db.query<DocumentRow>("SELECT * FROM documents WHERE id = ?", [id]);
    return row ? toRecord(row) : undefined;
  }

  /** The user's role on the document, or undefined when they have none (or it does not exist). */
  async roleOf(id: string, user: string): Promise<Role | undefined> {
    const [row] = await this.db.query<{ role: string } & SqlRow>(
      "SELECT role FROM document_acl WHERE doc_id = ? AND user = ?",
      [id, user],
    );
    return row?.role as Role | undefined;
  }

  /** Documents where the user has any role, most recently updated first. */
  async listFor(user: string, limit: number): Promise<DocumentListing[]> {
    const rows = await this.db.query<DocumentRow & { role: string }>(
      `SELECT d.*, a.role FROM document_acl a JOIN documents d ON d.id = a.doc_id
       WHERE a.user = ? ORDER BY d.updated_at DESC, d.id LIMIT ?`,
      [user, limit],
    );
    return rows.map((row) => ({ ...toRecord(row), role: row.role as Role }));
  }

  /** Grants (or changes) a user's role. */
  async share(id: string, user: string, role: Role): Promise<void> {
    await this.db.run(
      `INSERT INTO document_acl (doc_id, user, role) VALUES (?, ?, ?)
       ON CONFLICT (doc_id, user) DO UPDATE SET role = excluded.role`,
      [id, user, role],
    );
  }

  /**
   * Records an edit's time. At most one write per document per `TOUCH_EVERY_MS`: `updatedAt` orders
   * listings, which second-level precision serves, and a write per keystroke would double the writes.
   */
  async touch(id: string, nowMs: number): Promise<void> {
    const last = this.#touched.get(id);
    if (last !== undefined && nowMs - last < TOUCH_EVERY_MS && nowMs >= last) return;
    if (this.#touched.size >= MAX_TOUCHED) this.#touched.clear();
    this.#touched.set(id, nowMs);
    await this.db.run("UPDATE documents SET updated_at = ? WHERE id = ?", [nowMs, id]);
  }

  /** Removes the document and its access list (its text is the DocumentTexts' to delete). */
  async delete(id: string): Promise<void> {
    await this.db.batch([
      { sql: "DELETE FROM document_acl WHERE doc_id = ?", args: [id] },
      { sql: "DELETE FROM documents WHERE id = ?", args: [id] },
    ]);
  }

  /** For readiness probes: the database answers a query. */
  async ping(): Promise<void> {
    await this.db.query("SELECT 1 AS ok");
  }
}
