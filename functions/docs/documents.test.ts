import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { DOCUMENTS_SCHEMA, DocumentStore } from "./documents.ts";

const { db, client } = openLibsql("file::memory:");
beforeAll(() => migrate(db, DOCUMENTS_SCHEMA));
afterAll(() => client.close());

describe("DocumentStore.touch", () => {
  it("writes updatedAt at most once a second per document, and again after a clock step back", async () => {
    const docs = new DocumentStore(db);
    await docs.create({ id: "t", title: "t", owner: "a", createdAt: 0, updatedAt: 0 });
    const updatedAt = async () => (await docs.get("t"))?.updatedAt;
    await docs.touch("t", 10_000);
    expect(await updatedAt()).toBe(10_000);
    await docs.touch("t", 10_500);
    expect(await updatedAt()).toBe(10_000);
    await docs.touch("t", 11_000);
    expect(await updatedAt()).toBe(11_000);
    await docs.touch("t", 5_000); // the clock went back: write, do not stall for the difference
    expect(await updatedAt()).toBe(5_000);
  });
});
