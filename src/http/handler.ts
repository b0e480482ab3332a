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
import { parsePart } from '../domain/input/parse';

/**
 * The body cap of the JSON API: nothing it accepts comes near 64 KB. Routes that read their raw
 * body set their own (`raw.maxBytes`: GitHub pushes 1 MB). API Gateway itself takes up to 10 MB;
 * the function answers anything over its cap with a 413, and the embedded server stops reading there.
 */
export const MAX_BODY_BYTES = 64 * 1024;

export const maxBodyBytesOf = (route: AnyRoute) => route.raw?.maxBytes ?? MAX_BODY_BYTES;

export const payloadTooLarge = (maxBytes: number) =>
  new DomainError(413, 'PayloadTooLarge', `body must be at most ${maxBytes} bytes`, { field: 'body' });
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
  const maxBytes = maxBodyBytesOf(route);
  if (Buffer.byteLength(raw) > maxBytes) throw payloadTooLarge(maxBytes);
  if (route.raw) return { raw, json: undefined };
  if (raw.trim() === '') return { raw, json: undefined };
  try {
    return { raw, json: JSON.parse(raw) };
  } catch {
    throw badRequest('body', 'body must be valid JSON');
  }
}

/**
 * Path parameters arrive decoded; one still holding a `%` (or the replacement character a broken
 * sequence decodes to) was not valid percent-encoding, such as `%E0%A4%A`. No parameter of this
 * API contains either, so it is refused by name, and logged: it is a client bug or a probe.
 */
function pathParameters(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  const params = event.pathParameters ?? {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && /[%\uFFFD]/.test(value)) {
      log.warn('path parameter is not valid percent-encoding', { routeKey: event.routeKey, name, value });
      throw badRequest(name, `${name} is not valid percent-encoding`);
    }
  }
  return params;
}

function parseRequest(route: AnyRoute, event: APIGatewayProxyEventV2): ParsedRequest<never, never, never> {
  const caller = route.auth === 'jwt' ? callerOf(event) : { tenantId: '', userId: '' };
  const params = route.params ? parsePart(route.params, pathParameters(event), 'path') : undefined;
  const { raw, json } = readBody(event, route);
  if (json !== undefined && !route.body) throw badRequest('body', 'this route takes no body');
  return {
    caller,
    params: params as never,
    query: (route.query
      ? parsePart(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined) as never,
    // No body at all reads as {}; a JSON null is a body, and not an object.
    body: (route.body && !route.raw
      ? parsePart(route.body, json === undefined ? {} : json, 'body')
      : undefined) as never,
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
