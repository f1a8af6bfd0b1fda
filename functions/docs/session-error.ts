/**
 * Why a Docs session refused a submission, and the checks of a submission's shape and size. An AppError, so the HTTP layer's handleError turns it into
 * `{"error": {"code", "message"}}` with the right status; the socket layer sends `code` and `message`.
 */
import { AppError } from "../shared/errors.ts";
import { codePointLength, normalize, type TextOp } from "./ot/index.ts";

const STATUS = {
  /** The submission is not `{v, op, src, seq}` of the right types, or v is negative / not an integer. */
  invalid_submission: 400,
  /** The op is malformed, or does not apply to the document once transformed. */
  invalid_op: 400,
  /** v is above the document's version: the client claims ops the server never sent. */
  version_ahead: 409,
  /** v is older than the history the session keeps in memory: the client must resync (fetch and retry). */
  too_old: 409,
  /** The op has too many components or inserts too much text (maxOpComponents, maxInsertLength). */
  op_too_large: 413,
  /** Applying the op would make the document longer than maxDocumentLength. */
  document_too_large: 413,
  /** The op could not be stored, so it was not applied: resend it with the same (src, seq). */
  storage_failed: 503,
  /** No such document in the store. */
  not_found: 404,
  /** A document with that id already exists. */
  already_exists: 409,
} as const;

export type SessionErrorCode = keyof typeof STATUS;

export class SessionError extends AppError {
  override readonly name = "SessionError";
  declare readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, cause?: unknown) {
    super(STATUS[code], code, message);
    if (cause !== undefined) this.cause = cause;
  }
}

/** Normalizes the op and enforces maxOpComponents and maxInsertLength. */
export function checkOpSize(
  raw: unknown,
  { maxOpComponents, maxInsertLength }: { maxOpComponents: number; maxInsertLength: number },
): TextOp {
  let op: TextOp;
  try {
    op = normalize(raw);
  } catch (error) {
    throw new SessionError("invalid_op", (error as Error).message);
  }
  if (op.length > maxOpComponents) {
    throw new SessionError(
      "op_too_large",
      `op has ${op.length} components, more than maxOpComponents (${maxOpComponents})`,
    );
  }
  let inserted = 0;
  for (const component of op) if (typeof component === "string") inserted += codePointLength(component);
  if (inserted > maxInsertLength) {
    throw new SessionError(
      "op_too_large",
      `op inserts ${inserted} code points, more than maxInsertLength (${maxInsertLength})`,
    );
  }
  return op;
}

/** The submission's envelope: an integer version, a client id, a sequence number. */
export function checkSubmission(v: unknown, src: unknown, seq: unknown): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new SessionError("invalid_submission", `v must be an integer >= 0, got ${JSON.stringify(v)}`);
  }
  if (typeof src !== "string" || src.length === 0 || src.length > 200) {
    throw new SessionError("invalid_submission", "src must be a non-empty string of at most 200 characters");
  }
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
    throw new SessionError("invalid_submission", `seq must be an integer >= 0, got ${JSON.stringify(seq)}`);
  }
}
