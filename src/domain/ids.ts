import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered ids (ULID layout, lower case): sorting by id sorts by creation time, which gives
 * stable pagination and "newest first" lists without a second index.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[bytes[i]! % 32];
  return `${prefix}_${time}${random}`;
}

/**
 * A tenant id: 1-64 letters, digits, `_` and `-`, starting with a letter. It becomes part of
 * DynamoDB keys (`T#<tenant>`), so `#` and the like never reach them; the leading letter keeps a
 * token's number claim (which API Gateway hands on as digits) from ever naming a tenant.
 */
export const TENANT_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
