import { expect } from "vitest";

/** Every 4xx of every service has one shape: `{"error": {"code", "message"}}`, as JSON. */
export async function expectError(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(body.error?.code).toBe(code);
  expect(body.error?.message).toEqual(expect.any(String));
}
