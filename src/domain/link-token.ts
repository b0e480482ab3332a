import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Approval link tokens: opaque to their holder, HMAC-SHA256-signed with a platform key, expiring,
 * and single-use (each names a nonce that the approval record holds until a decision consumes it).
 * The Step Functions task token is never in them: it stays on the approval record.
 */
export interface LinkClaims {
  tenantId: string;
  approvalId: string;
  nonce: string;
  /** Unix seconds. */
  expiresAt: number;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

export const newLinkNonce = () => randomBytes(12).toString('base64url');

const mac = (key: string, payload: string) => createHmac('sha256', key).update(`link.v1.${payload}`).digest();

export function signLinkToken(key: string, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify([claims.tenantId, claims.approvalId, claims.nonce, claims.expiresAt]),
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export function verifyLinkToken(key: string, token: string, nowSeconds = Date.now() / 1000): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'invalid' };
  try {
    const [tenantId, approvalId, nonce, expiresAt] = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as unknown[];
    if (
      typeof tenantId !== 'string' ||
      typeof approvalId !== 'string' ||
      typeof nonce !== 'string' ||
      typeof expiresAt !== 'number'
    )
      return { ok: false, reason: 'invalid' };
    if (expiresAt <= nowSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { tenantId, approvalId, nonce, expiresAt } };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}
