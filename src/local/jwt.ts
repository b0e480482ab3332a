import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Locally signed JWTs (HS256) with the claim shape API Gateway's JWT authorizer hands to the
 * functions: iss, aud, sub, exp, the tenant claim and, when given, a verified email (approval
 * policies match approvers and authors by it). The embedded runtime verifies them the way the
 * authorizer does: signature, issuer, audience, expiry.
 */
export const LOCAL_ISSUER = 'https://tinystacks.local';
export const LOCAL_AUDIENCE = 'tinystacks-api';

const b64 = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

export function signToken(
  secret: string,
  claims: { sub: string; tenantClaim: string; tenantId: string; email?: string },
  ttlSeconds = 30 * 24 * 3600,
): string {
  const now = Math.floor(Date.now() / 1000);
  return signClaims(secret, {
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: claims.sub,
    [claims.tenantClaim]: claims.tenantId,
    ...(claims.email ? { email: claims.email, email_verified: true } : {}),
    iat: now,
    exp: now + ttlSeconds,
  });
}

/** Any claims, signed with the local key (tests of what the authorizer refuses). */
export function signClaims(secret: string, claims: Record<string, unknown>): string {
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const payload = b64(claims);
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The verified claims, or undefined for any token the authorizer would refuse. */
export function verifyToken(secret: string, token: string): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (head.alg !== 'HS256') return undefined;
    if (claims.iss !== LOCAL_ISSUER || claims.aud !== LOCAL_AUDIENCE) return undefined;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    // Not before: refused until then, as API Gateway's authorizer and jose refuse it.
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
