/**
 * Feed pagination cursors, pure: an opaque base64url JSON token holding the instant the feed is ranked
 * against (`asOf`) and the position of the last item served (its score and id).
 *
 * Why `asOf`: a gravity score decays with time, so ranking page 2 a minute later would move items across
 * the page boundary (repeats and gaps). Ranking every page against the first page's instant keeps the order
 * fixed; the last (score, id) then splits it exactly: page 2 is what sorts after it.
 *
 * Usage (in a route):
 *   const cursor = query.cursor ? decodeCursor(query.cursor) : null; // throws CursorError → 400
 *   const page = rankFeed(articles, { now: Date.now(), cursor, limit });
 *   return { items: page.items, next: page.next && encodeCursor(page.next) };
 */

export interface FeedCursor {
  /** Epoch ms the whole pagination is ranked against: the first page's `now`. */
  asOf: number;
  /** Score of the last item served. */
  score: number;
  /** Id of the last item served (ties on score are broken by id, ascending): a string or an integer. */
  id: string | number;
}

/** A cursor that is not one we issued: malformed, tampered or from another version. The route answers 400. */
export class CursorError extends Error {
  override readonly name = "CursorError";
  readonly code = "invalid_cursor";
}

const VERSION = 1;
/** Longer tokens are refused before decoding: ours are ~100 characters for ids of a few dozen. */
export const MAX_CURSOR_LENGTH = 1024;
const MAX_ID_LENGTH = 512;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// btoa/atob work on Node and workerd alike (Buffer does not exist on workerd without nodejs_compat).
function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function encodeCursor(cursor: FeedCursor): string {
  const json = JSON.stringify({ v: VERSION, asOf: cursor.asOf, score: cursor.score, id: cursor.id });
  return toBase64Url(encoder.encode(json));
}

/** The cursor in `token`, checked field by field; anything else is a `CursorError`. */
export function decodeCursor(token: string): FeedCursor {
  if (token.length === 0 || token.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new CursorError(`cursor is not a base64url token of at most ${MAX_CURSOR_LENGTH} characters`);
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(fromBase64Url(token)));
  } catch {
    throw new CursorError("cursor does not decode to JSON");
  }
  if (typeof value !== "object" || value === null) throw new CursorError("cursor is not an object");
  const { v, asOf, score, id } = value as Record<string, unknown>;
  if (v !== VERSION) throw new CursorError("cursor version is not supported");
  if (typeof asOf !== "number" || !Number.isSafeInteger(asOf) || asOf < 0) {
    throw new CursorError("cursor asOf is not a time");
  }
  if (typeof score !== "number" || !Number.isFinite(score) || score < 0) {
    throw new CursorError("cursor score is not a finite non-negative number");
  }
  const validId =
    typeof id === "string" ? id.length > 0 && id.length <= MAX_ID_LENGTH : Number.isSafeInteger(id);
  if (!validId) throw new CursorError("cursor id is neither a non-empty string nor an integer");
  return { asOf, score, id: id as string | number };
}
