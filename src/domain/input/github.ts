import * as z from 'zod/mini';

const text = z.optional(z.string());
/** GitHub sends `email: null` for a commit author or pusher whose address it does not show. */
const email = z.optional(z.nullable(z.string()));

/**
 * The part of a GitHub push payload this backend reads (src/domain/github.ts classifies it). Loose
 * objects: GitHub sends many more fields, and adds some now and then. Checked after the signature,
 * before anything is recorded: a signed payload of another shape is a 400 naming the field, never
 * a 500 with the delivery marked as received.
 */
export const pushPayload = z.object({
  ref: text,
  before: text,
  after: text,
  deleted: z.optional(z.boolean()),
  forced: z.optional(z.boolean()),
  // Only counted (issue 13 §3): what GitHub puts in each commit is not read.
  commits: z.optional(z.array(z.unknown())),
  repository: z.optional(z.object({ full_name: text })),
  pusher: z.optional(z.object({ name: text, email })),
  head_commit: z.optional(
    z.nullable(
      z.object({
        id: text,
        message: text,
        url: text,
        author: z.optional(z.object({ name: text, username: text, email })),
      }),
    ),
  ),
});
export type PushPayload = z.infer<typeof pushPayload>;

/** Any other event's payload is only recorded as ignored, but it must be a JSON object too. */
export const otherPayload = z.record(z.string(), z.unknown());
