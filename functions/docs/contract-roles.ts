/**
 * Every role × action, over HTTP and WebSocket: owners do everything, editors read and edit, viewers
 * read, a stranger gets the same 404 as for a missing document, and no token is a 401.
 */
import { describe, expect, it } from "vitest";
import { ContractSocket, type DocsClient, expectError, expectRefused, type Who } from "./contract-client.ts";

type Action = "read" | "history" | "edit" | "share" | "delete" | "socket";

/** The status each caller gets; 2xx means allowed. */
const EXPECTED: Record<Action, Record<Who, number>> = {
  read: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401 },
  history: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401 },
  edit: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401 },
  share: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401 },
  delete: { owner: 204, editor: 403, viewer: 403, stranger: 404, anonymous: 401 },
  socket: { owner: 101, editor: 101, viewer: 101, stranger: 404, anonymous: 401 },
};

const CODES: Record<number, string> = { 401: "unauthorized", 403: "forbidden", 404: "not_found" };

const cases = (Object.keys(EXPECTED) as Action[]).flatMap((action) =>
  (Object.keys(EXPECTED[action]) as Who[]).map((who) => [action, who, EXPECTED[action][who]] as const),
);

export function rolesContract(api: DocsClient): void {
  /** Does `action` on document `id` as `who`; returns the HTTP status (101 for an opened socket). */
  async function attempt(action: Action, who: Who, id: string): Promise<number> {
    const path = `/api/documents/${id}`;
    if (action === "socket") {
      const result = await api.connect(id, { as: who });
      if (result instanceof ContractSocket) {
        expect((await result.next("init")).role).toBe(who);
        return 101;
      }
      expectRefused(result, result.status, CODES[result.status] ?? "?");
      return result.status;
    }
    const requests: Record<Exclude<Action, "socket">, Parameters<DocsClient["send"]>> = {
      read: [path, { as: who }],
      history: [`${path}/history`, { as: who }],
      edit: [`${path}/update`, { as: who, json: { v: 0, op: ["x"] } }],
      share: [`${path}/share`, { as: who, json: { user: api.users.stranger, role: "viewer" } }],
      delete: [path, { as: who, method: "DELETE" }],
    };
    const res = await api.send(...requests[action]);
    if (res.status >= 400) await expectError(res.clone(), res.status, CODES[res.status] ?? "?");
    await res.body?.cancel();
    return res.status;
  }

  describe("roles", () => {
    it.each(cases)("%s as %s → %i", async (action, who, status) => {
      const doc = await api.sharedDoc("text");
      expect(await attempt(action, who, doc.id)).toBe(status);
      // What was refused left no trace; what was allowed did what it says.
      const after = await api.send(`/api/documents/${doc.id}`, { as: "owner" });
      if (action === "delete" && status === 204) {
        await expectError(after, 404, "not_found");
        return;
      }
      const body = (await after.json()) as { version: number; content: string };
      expect(body).toMatchObject(
        action === "edit" && status === 200
          ? { version: 1, content: "xtext" }
          : { version: 0, content: "text" },
      );
      const strangerSees = await api.send(`/api/documents/${doc.id}`, { as: "stranger" });
      expect(strangerSees.status).toBe(action === "share" && status === 200 ? 200 : 404);
      await strangerSees.body?.cancel();
    });
  });
}
