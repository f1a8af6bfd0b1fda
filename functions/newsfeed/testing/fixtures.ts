import type { SqlExecutor } from "../../shared/sql.ts";
import { migrate } from "../../shared/sql.ts";
import { openLibsql } from "../../shared/sql-libsql.ts";
import type { FeedEntry } from "../feeds/entry.ts";
import { NEWSFEED_SCHEMA, NewsfeedStore } from "../store.ts";

/** A plain entry for tests: a guid, a link and a title derived from `id`; override what the test is about. */
export function entryFixture(id: string, overrides: Partial<FeedEntry> = {}): FeedEntry {
  return {
    id,
    title: `Story ${id}`,
    link: `https://news.example/${id}`,
    author: null,
    published: "2026-11-20T10:00:00.000Z",
    updated: null,
    summary: `<p>About ${id}</p>`,
    content: null,
    categories: [],
    enclosures: [],
    ...overrides,
  };
}

/** A migrated in-memory database and the store over it; `close` releases the connection. */
export async function memoryStore(): Promise<{ db: SqlExecutor; store: NewsfeedStore; close(): void }> {
  const { db, client } = openLibsql("file::memory:");
  await migrate(db, NEWSFEED_SCHEMA);
  return { db, store: new NewsfeedStore(db), close: () => client.close() };
}
