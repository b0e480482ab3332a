import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { badRequest, type DomainError } from '../domain/errors';
import { errorResponse, maxBodyBytesOf, MAX_BODY_BYTES, payloadTooLarge } from '../http/handler';
import type { AnyRoute } from '../http/route';
import { errorFields, log } from '../log';
import { verifyToken } from './jwt';

type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<{
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}>;

export interface MountedRoute {
  route: AnyRoute;
  handler: LambdaHandler;
}

/** Extra endpoints of the embedded runtime that API Gateway does not have (event stream, test hooks). */
export type LocalEndpoint = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  claims: Record<string, unknown> | undefined,
) => Promise<boolean>;

interface CompiledRoute extends MountedRoute {
  pattern: RegExp;
  names: string[];
}

function compile(mounted: MountedRoute): CompiledRoute {
  const names: string[] = [];
  const source = mounted.route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...mounted, pattern: new RegExp(`^${source}$`), names };
}

/**
 * API Gateway decodes path parameters. A segment that is not valid percent-encoding
 * (`%E0%A4%A`) is handed on as it came, and the function refuses it with a 400 naming the
 * parameter (src/http/handler.ts), on AWS and here alike.
 */
const decodeSegment = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

type BodyRead = { body: string | undefined } | { tooLarge: true };

/**
 * Reads a request body up to `maxBytes`, and no further: a declared length over the cap is
 * refused before a byte is read, and a body that grows past it stops being read there. Nobody
 * can make the server hold more than the route accepts, whatever they send.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return Promise.resolve({ tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        req.pause();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ body: chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Answers an error as the functions do: `{"error": {code, message, field}}`. */
export function sendError(res: ServerResponse, error: DomainError) {
  const response = errorResponse(error, '');
  send(res, response.statusCode, response.body);
}

/**
 * After a refused body, what is still read (and dropped, never kept) before the connection is cut:
 * up to API Gateway's own limit, for a few seconds. Clients send the rest of their body before
 * they read the answer; closing on unread data would reset the connection and lose the answer.
 */
const LINGER_BYTES = 10 * 1024 * 1024;
const LINGER_MS = 5000;

/**
 * Refuses a body over the cap. The whole 413 is written at once (its length declared, and
 * `Connection: close` so the client does not reuse the connection); what the client still sends
 * is dropped as it arrives; the response ends, and the connection closes cleanly, when the request
 * ends. Ending it earlier would close on unread data, which resets the connection and can lose the
 * answer. A body that goes on past the linger is cut off. Memory stays at the cap either way.
 */
function refuseBody(req: IncomingMessage, res: ServerResponse, maxBytes: number) {
  const response = errorResponse(payloadTooLarge(maxBytes), '');
  res.writeHead(response.statusCode, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(response.body)),
    connection: 'close',
  });
  res.write(response.body);
  let dropped = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  req.socket.once('close', () => clearTimeout(timer));
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  req.on('end', () => {
    clearTimeout(timer);
    res.end();
  });
  req.resume();
}

/**
 * The JSON body of an embedded-runtime endpoint (/local/*), read with the API's cap: undefined
 * when it was refused, with the answer (413, or 400 naming `body`) already sent.
 */
export async function readLocalJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const read = await readBody(req, MAX_BODY_BYTES);
  if ('tooLarge' in read) return refuseBody(req, res, MAX_BODY_BYTES);
  try {
    const value: unknown = read.body ? JSON.parse(read.body) : {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  return sendError(res, badRequest('body', 'body must be a JSON object'));
}

function send(res: ServerResponse, statusCode: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(statusCode, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/**
 * API Gateway (HTTP API) on one machine: it routes like API Gateway, checks bearer tokens like its
 * JWT authorizer, turns each request into the same payload-v2 event and calls the same handlers.
 */
export function createApiServer(options: {
  routes: MountedRoute[];
  jwtSecret: string;
  extra: LocalEndpoint[];
  onRequest?: (method: string, path: string, status: number, ms: number) => void;
}): Server {
  const compiled = options.routes.map(compile);
  return createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    res.on('finish', () =>
      options.onRequest?.(method, url.pathname, res.statusCode, performance.now() - started),
    );
    handle(req, res, url, method).catch((error: unknown) => {
      log.error('request failed in the embedded API Gateway', {
        method,
        path: url.pathname,
        ...errorFields(error),
      });
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
    });
  });

  function claimsOf(req: IncomingMessage): Record<string, unknown> | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? verifyToken(options.jwtSecret, match[1]!) : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, method: string) {
    const claims = claimsOf(req);
    for (const endpoint of options.extra) {
      if (await endpoint(req, res, url, claims)) return;
    }
    let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of compiled) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.route.method !== method) continue;
      match = {
        route,
        params: Object.fromEntries(route.names.map((n, i) => [n, decodeSegment(m[i + 1]!)])),
      };
      break;
    }
    // API Gateway answers unknown routes itself, before any authorizer or function.
    if (!match)
      return send(res, 404, JSON.stringify({ message: pathMatched ? 'Method Not Allowed' : 'Not Found' }));
    if (match.route.route.auth === 'jwt' && !claims)
      return send(res, 401, JSON.stringify({ message: 'Unauthorized' }));

    // The function's own cap, applied while reading (on AWS, API Gateway reads up to 10 MB and the
    // function refuses the same bodies with the same 413).
    const maxBytes = maxBodyBytesOf(match.route.route);
    const read = await readBody(req, maxBytes);
    if ('tooLarge' in read) return refuseBody(req, res, maxBytes);
    const event = toEvent(req, url, method, match.route.route.path, match.params, read.body, claims);
    const result = await match.route.handler(event, lambdaContext(match.route.route.unit));
    send(res, result.statusCode, result.body ?? '', result.headers ?? {});
  }
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  routePath: string,
  pathParameters: Record<string, string>,
  body: string | undefined,
  claims: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2 {
  // Null prototypes: a query parameter named `__proto__` is kept as API Gateway keeps it (and refused by the function).
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${routePath}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${routePath}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: stringClaims(claims), scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2;
}

/**
 * API Gateway passes claims as strings: numbers and booleans as their text, a list as `[a b]`,
 * an object as its JSON; a null claim is left out.
 */
const stringClaims = (claims: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(claims)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : Array.isArray(v)
            ? `[${v.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')}]`
            : JSON.stringify(v),
      ]),
  );

function lambdaContext(functionName: string): Context {
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
