import { badRequest } from '../domain/errors';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  limit?: number;
  nextToken?: string;
}

export const DEFAULT_PAGE_SIZE = 20;

type Key = Record<string, unknown>;

export function encodeToken(key: Key | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export interface TokenShape {
  /** The attribute that holds the partition, and the partition being read. */
  partitionKey: string;
  partition: string;
  /** Every attribute a last-evaluated key of this query has. */
  attributes: string[];
  /** The sort key must stay inside the queried range. */
  sortKey?: { name: string; prefix: string };
}

/**
 * A token only continues the query it came from: its partition must be the one being read and its
 * key must have this query's shape. Anything else, forged or garbled, is a 400 on nextToken rather
 * than a DynamoDB ValidationException (a 500), and can never reach another tenant's partition.
 */
export function decodeToken(token: string | undefined, shape: TokenShape): Key | undefined {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Key;
    const names = Object.keys(key).sort();
    const valid =
      typeof key === 'object' &&
      key !== null &&
      key[shape.partitionKey] === shape.partition &&
      JSON.stringify(names) === JSON.stringify([...shape.attributes].sort()) &&
      names.every((name) => typeof key[name] === 'string') &&
      (!shape.sortKey || String(key[shape.sortKey.name]).startsWith(shape.sortKey.prefix));
    if (valid) return key;
  } catch {
    // fall through: malformed tokens get the same answer as foreign ones
  }
  throw badRequest('nextToken', 'nextToken is invalid or belongs to another list');
}
