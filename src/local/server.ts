import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { AnyRoute } from '../http/route';
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

/** API Gateway's own limit is 10 MB; the functions enforce their much smaller one. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

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

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new Error('PayloadTooLarge');
    chunks.push(chunk as Buffer);
  }
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
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
    handle(req, res, url, method).catch(() => {
      if (!headersSent(res)) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
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
        params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
      };
      break;
    }
    // API Gateway answers unknown routes itself, before any authorizer or function.
    if (!match)
      return send(res, 404, JSON.stringify({ message: pathMatched ? 'Method Not Allowed' : 'Not Found' }));
    if (match.route.route.auth === 'jwt' && !claims)
      return send(res, 401, JSON.stringify({ message: 'Unauthorized' }));

    let body: string | undefined;
    try {
      body = await readBody(req);
    } catch {
      return send(res, 413, JSON.stringify({ message: 'Request Entity Too Large' }));
    }
    const event = toEvent(req, url, method, match.route.route.path, match.params, body, claims);
    const result = await match.route.handler(event, lambdaContext(match.route.route.unit));
    send(res, result.statusCode, result.body ?? '', result.headers ?? {});
  }
}

function headersSent(res: ServerResponse) {
  return res.headersSent;
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
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
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

/** API Gateway passes claims as strings. */
const stringClaims = (claims: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
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
