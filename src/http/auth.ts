import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callerFromClaims, TENANT_CLAIM, type Caller } from '../domain/caller';
import { DomainError } from '../domain/errors';

export const unauthorized = () =>
  new DomainError(401, 'Unauthorized', `a bearer token with the ${TENANT_CLAIM} and sub claims is required`);

type EventWithJwt = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

/**
 * The JWT itself was verified by API Gateway's authorizer (or the embedded runtime's, which does
 * the same checks): here we only read who the caller is. The tenant comes from the token, never
 * from the request.
 */
export function callerOf(event: APIGatewayProxyEventV2): Caller {
  const caller = callerFromClaims((event as EventWithJwt).requestContext.authorizer?.jwt?.claims);
  if (!caller) throw unauthorized();
  return caller;
}
