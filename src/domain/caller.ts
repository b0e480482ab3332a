import { TENANT_ID } from './ids';

/** Who asked: a user (from a verified token), or the platform itself starting a follow-up. */
export interface Caller {
  tenantId: string;
  userId: string;
}

/** The claim that names the tenant; a Cognito pre-token-generation trigger adds it, for example. */
export const TENANT_CLAIM = process.env.TENANT_CLAIM ?? 'tenant_id';

/** A user id (`sub`): no spaces or control characters, and no `{` or `[` first (an object's or a list's rendering). */
const USER_ID = /^[^\s\p{Cc}{[][^\s\p{Cc}]{0,254}$/u;

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
  return { tenantId, userId };
}
