import type * as z from 'zod/mini';
import { badRequest } from '../domain/errors';

type Issue = z.core.$ZodIssue;

const describe = (issue: Issue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
    case 'too_small':
      return issue.origin === 'string' ? `must not be empty` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid';
  }
};

/**
 * Parses one part of a request with its schema; the first problem becomes a 400 that names the
 * field by its path (`environment.API_KEY`, `origins.1`), so a client can point at it.
 */
export function parsePart<S extends z.ZodMiniType>(schema: S, value: unknown, part: string): z.infer<S> {
  // reportInput: without it zod leaves issue.input out, and a wrong type would read as a missing field.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].join('.');
    throw badRequest(field, `${field} is not a known field`);
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : part;
  const missing = issue.code === 'invalid_type' && issue.input === undefined && issue.path.length > 0;
  throw badRequest(field, missing ? `${field} is required` : `${field} ${describe(issue)}`);
}
