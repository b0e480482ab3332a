import { TENANT_ID } from './ids';

/** Who asked: a user (from a verified token), or the platform itself starting a follow-up. */
export interface Caller {
  tenantId: string;
  userId: string;
  /** The token's `email` claim, lower-cased; absent when the token has none or says it is unverified. */
  email?: string;
}

/** The claim that names the tenant; a Cognito pre-token-generation trigger adds it, for example. */
export const TENANT_CLAIM = process.env.TENANT_CLAIM ?? 'tenant_id';

/** A user id (`sub`): no spaces or control characters, and no `{` or `[` first (an object's or a list's rendering). */
export const USER_ID = /^[^\s\p{Cc}{[][^\s\p{Cc}]{0,254}$/u;

/**
 * An email address as the platform accepts one (approval emails, approvers, the `email` claim): no
 * space, control character (NUL, CR, LF: header injection) or second `@` anywhere, a dot in the domain.
 */
export const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]{1,255}\.[^\s@\p{Cc}]{2,}$/u;

/**
 * Who the caller is, from claims already verified (by API Gateway's JWT authorizer, the embedded
 * runtime's, or the approval routes' own check), or undefined when the claims do not name a tenant
 * and a user as this API requires. Every way into the API asks this one function, so they agree:
 * API Gateway hands the functions each claim as a string (a number 42 arrives as "42", an object
 * as JSON text), while the approval routes and the event stream read the token itself; the tenant
 * pattern (src/domain/ids.ts) and the user pattern refuse both renderings of a claim that is not a
 * string in the token.
 */
export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller | undefined {
  const tenantId = claims?.[TENANT_CLAIM];
  const userId = claims?.sub;
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) return undefined;
  if (typeof userId !== 'string' || !USER_ID.test(userId)) return undefined;
  const email = emailOf(claims!);
  if (email === null) return undefined;
  return { tenantId, userId, ...(email ? { email } : {}) };
}

/**
 * The `email` claim, which approval policies match approvers and authors by: undefined when there
 * is none, or when `email_verified` says false (an address the user typed and never confirmed
 * would let them pose as a listed approver); null, refusing the token, when it is there but is not
 * an address (a number; an object, in either rendering, hence no `{` or `[` first; two addresses),
 * like the claims above.
 * API Gateway hands `email_verified: false` on as the string "false".
 */
function emailOf(claims: Record<string, unknown>): string | undefined | null {
  const email = claims.email;
  if (email === undefined) return undefined;
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email) || /^[{[]/.test(email))
    return null;
  const verified = claims.email_verified;
  if (verified === false || verified === 'false') return undefined;
  return email.toLowerCase();
}
