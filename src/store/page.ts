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

/**
 * A token only continues the query it came from: its partition must be the one being read, so a
 * forged token cannot reach another tenant's partition (DynamoDB would refuse it anyway, with a 500).
 */
export function decodeToken(
  token: string | undefined,
  partitionKey: string,
  partition: string,
): Key | undefined {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Key;
    if (typeof key === 'object' && key !== null && key[partitionKey] === partition) return key;
  } catch {
    // fall through: malformed tokens get the same answer as foreign ones
  }
  throw badRequest('nextToken', 'nextToken is invalid or belongs to another list');
}
