import type { LinkRecord } from "../links.ts";

/** A plain active link for tests: no owner, password or limits; override what the test is about. */
export function linkFixture(code: string, overrides: Partial<LinkRecord> = {}): LinkRecord {
  return {
    code,
    url: `https://example.com/${code}`,
    owner: null,
    title: null,
    tags: [],
    passwordHash: null,
    redirectStatus: 302,
    expiresAt: null,
    maxVisits: null,
    visitsUsed: 0,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}
