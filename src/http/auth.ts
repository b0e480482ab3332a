import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DomainError } from '../domain/errors';

export interface Caller {
  tenantId: string;
  userId: string;
}

/** The claim that names the tenant; a Cognito pre-token-generation trigger adds it, for example. */
export const TENANT_CLAIM = process.env.TENANT_CLAIM ?? 'tenant_id';

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

type EventWithJwt = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

/**
 * The JWT itself was verified by API Gateway's authorizer (or the embedded runtime's, which does
 * the same checks): here we only read who the caller is. The tenant comes from the token, never
 * from the request.
 */
export function callerOf(event: APIGatewayProxyEventV2): Caller {
  const claims = (event as EventWithJwt).requestContext.authorizer?.jwt?.claims;
  const tenantId = claims?.[TENANT_CLAIM];
  const userId = claims?.sub;
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId) || typeof userId !== 'string') {
    throw new DomainError(
      401,
      'Unauthorized',
      `a bearer token with the ${TENANT_CLAIM} and sub claims is required`,
    );
  }
  return { tenantId, userId };
}
