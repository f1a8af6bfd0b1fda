/** Docs' request and response schemas: validation and the OpenAPI document come from these. */
import { z } from "@hono/zod-openapi";
import { ROLES } from "./roles.ts";

export const Role = z.enum(ROLES).openapi("Role");

export const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a document id is 1 to 64 characters from A-Z a-z 0-9 _ -")
    .openapi({ param: { name: "id", in: "path" }, example: "q3L0k2hV9xY1aB7c" }),
});

export const CreateBody = z
  .object({
    title: z.string().trim().min(1).max(300),
    content: z.string().optional().openapi({ description: "Initial text (default empty)" }),
  })
  .strict()
  .openapi("CreateDocumentRequest");

const Op = z.array(z.unknown()).openapi({
  description: 'ot-text-unicode op: N skips, "text" inserts, {d: N} deletes',
  example: [3, "hi"],
});

/** `src`/`seq` identify a submission: a retry with the same pair is applied once. Generated when absent. */
const retryKey = {
  src: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "src is 1 to 100 characters from A-Z a-z 0-9 _ . : -")
    .optional()
    .openapi({ description: "Client id, for idempotent retries (stored as `<user>/<src>`)" }),
  seq: z.number().int().min(0).optional().openapi({ description: "Submission number within `src`" }),
};

export const UpdateBody = z
  .object({
    v: z.number().int().min(0).optional().openapi({ description: "Version the op was written against" }),
    op: Op.optional(),
    content: z.string().optional().openapi({ description: "Full replacement, turned into an op by a diff" }),
    ...retryKey,
  })
  .strict()
  .openapi("UpdateDocumentRequest");

export const ShareBody = z
  .object({ user: z.string().trim().min(1).max(200), role: Role })
  .strict()
  .openapi("ShareRequest");

export const HistoryQuery = z.object({
  from: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

export const Document = z
  .object({
    id: z.string(),
    title: z.string(),
    version: z.number().int(),
    content: z.string(),
    role: Role,
    owner: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Document");

export const DocumentList = z
  .object({
    documents: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        role: Role,
        owner: z.string(),
        createdAt: z.string(),
        updatedAt: z.string(),
      }),
    ),
  })
  .openapi("DocumentList");

export const UpdateResult = z
  .object({
    id: z.string(),
    version: z.number().int(),
    op: Op.nullable().openapi({ description: "The op as applied (transformed); null for a duplicate" }),
    duplicate: z.boolean(),
  })
  .openapi("UpdateResult");

export const Share = z.object({ id: z.string(), user: z.string(), role: Role }).openapi("Share");

export const History = z
  .object({
    id: z.string(),
    from: z.number().int(),
    version: z.number().int(),
    ops: z.array(z.object({ v: z.number().int(), op: Op, src: z.string(), seq: z.number().int() })),
  })
  .openapi("History");

export const ErrorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("Error");
