import * as z from 'zod/mini';
import { DETAIL_TYPES } from '../events';
import { MAX_URL_LENGTH } from '../subscription';

/** Syntax only; the scheme and the addresses the host resolves to are checked by the webhook guard. */
export const webhookUrl = z.string().check(
  z.maxLength(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
  z.refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute URL such as https://hooks.example.com/tinystacks'),
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.username === '' && url.password === '';
    } catch {
      return true; // reported by the check above
    }
  }, 'must not carry credentials (user:password@): the signature authenticates deliveries'),
);

export const eventFilter = z.array(z.enum(DETAIL_TYPES)).check(
  z.refine((list) => list.length > 0, 'must list at least one detail-type (leave it out for all of them)'),
  z.refine((list) => new Set(list).size === list.length, 'must not list a detail-type twice'),
);

export const createSubscriptionBody = z.strictObject({
  url: webhookUrl,
  events: z.optional(eventFilter),
});
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBody>;
