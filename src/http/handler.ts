import { createHash } from 'node:crypto';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { badRequest, DomainError } from '../domain/errors';
import { errorFields, log } from '../log';
import type { IdempotencyStore } from '../store/idempotency';
import { callerOf } from './auth';
import {
  routeKeyOf,
  type AnyRoute,
  type HttpResult,
  type ParsedRequest,
  type Route,
  type RoutesDeps,
} from './route';
import { parsePart } from './validation';

/** API Gateway's payload limit is 10 MB; nothing this API accepts comes near 64 KB. */
export const MAX_BODY_BYTES = 64 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,255}$/;

type Result = APIGatewayProxyResultV2 & { statusCode: number; body: string; headers: Record<string, string> };

export interface HttpDeps {
  idempotency?: IdempotencyStore;
}

function toResponse(result: HttpResult): Result {
  const headers = { 'content-type': 'application/json', ...result.headers };
  // A route that names another content type (an HTML page) gives its body as text.
  const text = typeof result.body === 'string' && !headers['content-type'].includes('json');
  return {
    statusCode: result.statusCode,
    headers,
    body: result.body === undefined ? '' : text ? (result.body as string) : JSON.stringify(result.body),
  };
}

/** Only errors below 500 say what went wrong; anything else is logged and answered opaquely. */
export function errorResponse(error: unknown, requestId: string): Result {
  if (error instanceof DomainError && error.status < 500) {
    return toResponse({
      statusCode: error.status,
      body: { error: { code: error.code, message: error.message, ...error.details } },
    });
  }
  log.error('request failed', { requestId, ...errorFields(error) });
  return toResponse({
    statusCode: 500,
    body: { error: { code: 'InternalError', message: 'internal error', requestId } },
  });
}

function readBody(event: APIGatewayProxyEventV2, route: AnyRoute): { raw: string; json: unknown } {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const maxBytes = route.raw?.maxBytes ?? MAX_BODY_BYTES;
  if (Buffer.byteLength(raw) > maxBytes) throw badRequest('body', `body must be at most ${maxBytes} bytes`);
  if (route.raw) return { raw, json: undefined };
  if (raw.trim() === '') return { raw, json: undefined };
  try {
    return { raw, json: JSON.parse(raw) };
  } catch {
    throw badRequest('body', 'body must be valid JSON');
  }
}

function parseRequest(route: AnyRoute, event: APIGatewayProxyEventV2): ParsedRequest<never, never, never> {
  const caller = route.auth === 'jwt' ? callerOf(event) : { tenantId: '', userId: '' };
  const { raw, json } = readBody(event, route);
  if (json !== undefined && !route.body) throw badRequest('body', 'this route takes no body');
  return {
    caller,
    params: (route.params ? parsePart(route.params, event.pathParameters ?? {}, 'path') : undefined) as never,
    query: (route.query
      ? parsePart(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined) as never,
    body: (route.body && !route.raw ? parsePart(route.body, json ?? {}, 'body') : undefined) as never,
    headers: event.headers,
    rawBody: raw,
  };
}

/**
 * Stripe's semantics: the first response for a key is replayed; the same key with another request
 * is a 422. Responses that invite a retry (409 busy, 5xx) are not kept, so the retry can succeed.
 */
async function withIdempotency(
  store: IdempotencyStore,
  route: AnyRoute,
  event: APIGatewayProxyEventV2,
  req: ParsedRequest<never, never, never>,
  run: () => Promise<Result>,
): Promise<Result> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return run();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest(
      'Idempotency-Key',
      'Idempotency-Key must be 1-255 characters of letters, digits and _.:-',
    );
  }
  const fingerprint = createHash('sha256')
    .update(`${route.method} ${event.rawPath}\n${req.rawBody}`)
    .digest('base64url');
  const scopedKey = `${req.caller.userId}:${key}`;
  const claim = await store.claim(req.caller.tenantId, scopedKey, fingerprint);
  if (claim.kind === 'replay') {
    return {
      statusCode: claim.response.statusCode,
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
      body: claim.response.body,
    };
  }
  let response: Result;
  try {
    response = await run();
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500 || error.status === 409) {
      await store.release(req.caller.tenantId, scopedKey);
      throw error;
    }
    response = errorResponse(error, '');
  }
  if (response.statusCode >= 500 || response.statusCode === 409)
    await store.release(req.caller.tenantId, scopedKey);
  else
    await store.complete(req.caller.tenantId, scopedKey, {
      statusCode: response.statusCode,
      body: withoutShownOnce(response.body, route.shownOnce),
    });
  return response;
}

/** Secrets shown once (a webhook secret) are not kept in the idempotency record: a replay shows null. */
function withoutShownOnce(body: string, fields: string[] | undefined): string {
  if (!fields?.length || !body) return body;
  const parsed = JSON.parse(body) as Record<string, unknown>;
  for (const field of fields) if (field in parsed) parsed[field] = null;
  return JSON.stringify(parsed);
}

/**
 * The one middleware stack every HTTP function uses: header normalisation, then the route's own
 * parse → (idempotency) → handle → JSON mapping, with the error mapper last.
 */
function httpStack<D>(routeFor: (event: APIGatewayProxyEventV2) => AnyRoute | undefined, deps: D & HttpDeps) {
  const run = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const route = routeFor(event);
    if (!route) {
      // API Gateway only sends a function the routes it was given: this one was not.
      log.error('no route for this function', { routeKey: event.routeKey });
      return toResponse({ statusCode: 404, body: { message: 'Not Found' } });
    }
    const req = parseRequest(route, event);
    const handle = async () => toResponse(await route.handle(req, deps as never));
    return route.idempotent && deps.idempotency
      ? withIdempotency(deps.idempotency, route, event, req, handle)
      : handle();
  };
  return middy<APIGatewayProxyEventV2, Result, Error, Context>()
    .use(httpHeaderNormalizer())
    .use({
      onError: (request) => {
        request.response = errorResponse(request.error, request.context.awsRequestId ?? '');
      },
    })
    .handler((event) => run(event));
}

/** One route's handler, whatever the event's routeKey (tests, and the OpenAPI document's own function). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function httpHandler<D>(route: Route<D, any, any, any, any>, deps: D & HttpDeps) {
  return httpStack(() => route as AnyRoute, deps);
}

/**
 * A deployment unit's handler: API Gateway names the route it matched in the event's routeKey
 * (`GET /v1/stacks/{stackId}`), so the unit only looks it up in its routes; the embedded runtime's
 * server builds the same routeKey.
 */
export function httpRouter<R extends readonly unknown[]>(routes: R, deps: RoutesDeps<R> & HttpDeps) {
  const byKey = new Map((routes as unknown as AnyRoute[]).map((route) => [routeKeyOf(route), route]));
  return httpStack((event) => byKey.get(event.routeKey), deps);
}
