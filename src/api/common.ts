import * as z from 'zod/mini';
import { stageName } from '../domain/input/fields';
import type { ResponseSpec } from '../http/route';
import { decodeToken, encodeToken } from '../store/page';
import { errorSchema } from './views';

export const stackParams = z.strictObject({
  stackId: z.string().check(z.regex(/^stk_[0-9a-z]{26}$/, 'is not a stack id')),
});
export const stageParams = z.strictObject({
  stackId: stackParams.shape.stackId,
  stageName,
});

const ERRORS: Record<number, string> = {
  400: 'Invalid request: the error names the field',
  401: 'Missing or invalid bearer token',
  404: 'Not found (also for ids that belong to another tenant)',
  409: 'Conflict: the stage is busy (the error names the running operation) or the name is taken',
  413: 'The body is over the route’s limit (64 KB for JSON; 1 MB for a GitHub push): it was not read',
  422: 'The Idempotency-Key was used with a different request',
};

/** Adds the error answers a route can give to its documented responses (any route can get a 413). */
export function responses(ok: Record<number, ResponseSpec>, errors: number[]): Record<number, ResponseSpec> {
  return {
    ...ok,
    ...Object.fromEntries(
      [...new Set([...errors, 413])].map((status) => [
        status,
        { description: ERRORS[status]!, schema: errorSchema },
      ]),
    ),
  };
}

export const page = <T>(items: T[], nextToken: string | undefined) => ({
  items,
  nextToken: nextToken ?? null,
});

/**
 * Another service's page token (CloudFormation's, CloudWatch Logs'), wrapped with what it pages:
 * a garbled token or one of another list is a 400 on nextToken here, never that service's error
 * (a 500) or a page of something else.
 */
export const foreignToken = {
  decode: (token: string | undefined, of: string): string | undefined =>
    decodeToken(token, { partitionKey: 'of', partition: of, attributes: ['of', 'next'] })?.next as
      string | undefined,
  encode: (next: string | undefined, of: string): string | null =>
    encodeToken(next ? { of, next } : undefined) ?? null,
};
