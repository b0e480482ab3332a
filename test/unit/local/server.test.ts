import type { Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from 'zod/mini';
import { stackParams } from '../../../src/api/common';
import { httpHandler } from '../../../src/http/handler';
import { defineRoute } from '../../../src/http/route';
import { TENANT_CLAIM } from '../../../src/domain/caller';
import { LocalEventBus } from '../../../src/local/bus';
import type { LocalCloudFormation } from '../../../src/local/cloudformation';
import { localEndpoints } from '../../../src/local/endpoints';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signClaims, signToken, verifyToken } from '../../../src/local/jwt';
import { createApiServer } from '../../../src/local/server';
import type { LocalExecution, LocalWorkflows } from '../../../src/local/workflows';
import { captureLogs } from '../../support/logs';

const SECRET = 'local-test-secret';
const RAW_CAP = 1024;

const echoRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/echo',
  operationId: 'echo',
  summary: 'Answers who called, with which stack id and body',
  tag: 'Test',
  auth: 'jwt',
  unit: 'api',
  permissions: [],
  params: stackParams,
  body: z.strictObject({ text: z.optional(z.string()) }),
  responses: {},
  async handle(req) {
    return { statusCode: 200, body: { caller: req.caller, stackId: req.params.stackId, body: req.body } };
  },
});

const rawRoute = defineRoute({
  method: 'POST',
  path: '/v1/raw',
  operationId: 'raw',
  summary: 'Reads its raw body, capped at 1 KB',
  tag: 'Test',
  auth: 'none',
  unit: 'docs',
  permissions: [],
  raw: { maxBytes: RAW_CAP },
  responses: {},
  async handle(req) {
    return { statusCode: 200, body: { bytes: Buffer.byteLength(req.rawBody) } };
  },
});

const executionOf = (tenantId: string): LocalExecution => ({
  executionArn: `arn:aws:states:local:000000000000:execution:deployStage:op_${tenantId}`,
  workflow: 'deployStage',
  name: `op_${tenantId}`,
  tenantId,
  status: 'SUCCEEDED',
  stateTransitions: 12,
  startedAt: new Date().toISOString(),
});
const workflows = {
  execution: (name: string) => [executionOf('acme'), executionOf('globex')].find((e) => e.name === name),
} as unknown as LocalWorkflows;

let server: Server;
let base: string;
const sockets: Socket[] = [];
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  server = createApiServer({
    routes: [echoRoute, rawRoute].map((route) => ({
      route: route as never,
      handler: httpHandler(route, {}),
    })),
    jwtSecret: SECRET,
    extra: localEndpoints({
      bus: new LocalEventBus('local', '000000000000', () => {}),
      cloudFormation: {} as LocalCloudFormation,
      workflows,
    }),
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

const tokenOf = (tenantId: string, sub = 'user-1') =>
  signToken(SECRET, { sub, tenantClaim: TENANT_CLAIM, tenantId });
const now = () => Math.floor(Date.now() / 1000);
const withClaims = (claims: Record<string, unknown>) =>
  signClaims(SECRET, { iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: now() + 600, ...claims });
const STACK_ID = 'stk_01jn8jc080jdpw4jc4hepvfnvh';

async function post(path: string, token: string | undefined, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the local JWT authorizer', () => {
  test.each([
    ['a future nbf', false, { nbf: now() + 600 }],
    ['an nbf that is not a number', false, { nbf: 'yesterday' }],
    ['a past nbf', true, { nbf: now() - 600 }],
    ['no nbf', true, {}],
  ])('a token with %s: accepted = %s', (_, accepted, extra) => {
    // Prepare
    const token = withClaims({ sub: 'user-1', [TENANT_CLAIM]: 'acme', ...extra });

    // Act
    const claims = verifyToken(SECRET, token);

    // Assess
    expect(claims !== undefined).toBe(accepted);
  });

  test.each([
    ['a number', { sub: 'user-1', [TENANT_CLAIM]: 42 }],
    ['an empty string', { sub: 'user-1', [TENANT_CLAIM]: '' }],
    ['an object sub', { sub: { id: 1 }, [TENANT_CLAIM]: 'acme' }],
    ['a list sub', { sub: ['a', 'b'], [TENANT_CLAIM]: 'acme' }],
  ])('claims with %s: the same 401 on a REST route and on the event stream', async (_, claims) => {
    // Prepare
    const token = withClaims(claims);

    // Act
    const rest = await post(`/v1/stacks/${STACK_ID}/echo`, token, {});
    const events = await fetch(`${base}/v1/events`, { headers: { authorization: `Bearer ${token}` } });

    // Assess
    expect(rest.status).toBe(401);
    expect(events.status).toBe(401);
    await events.body?.cancel();
  });

  test('a valid token reaches the function as its tenant and user', async () => {
    // Act
    const reply = await post(`/v1/stacks/${STACK_ID}/echo`, tokenOf('acme'), { text: 'hi' });

    // Assess
    expect(reply).toEqual({
      status: 200,
      body: { caller: { tenantId: 'acme', userId: 'user-1' }, stackId: STACK_ID, body: { text: 'hi' } },
    });
  });
});

describe('path parameters', () => {
  test('broken percent-encoding is a 400 naming the parameter, and a warning in the log', async () => {
    // Act
    const reply = await post('/v1/stacks/%E0%A4%A/echo', tokenOf('acme'), {});

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: { code: 'ValidationError', message: 'stackId is not valid percent-encoding', field: 'stackId' },
    });
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'warn', name: 'stackId' }));
  });
});

describe('request bodies', () => {
  test('a body over the route’s cap is a JSON 413, answered before the body ends; an endless one is cut off', async () => {
    // Prepare: 24 MB, chunked (no Content-Length), sent as fast as the socket takes it: more than
    // the server drops after answering (10 MB, API Gateway's own limit).
    const total = 24 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const before = sockets.length;

    // Act
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/v1/raw`, { method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      // Cut off past the linger: the answer has come by then.
      req.on('error', (error) => setTimeout(() => reject(error), 1000));
      let sent = 0;
      const write = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    const socket = sockets[before]!;

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual({
      error: { code: 'PayloadTooLarge', message: `body must be at most ${RAW_CAP} bytes`, field: 'body' },
    });
    await new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)));
    expect(socket.bytesRead).toBeLessThan(12 * 1024 * 1024);
  });

  test('a declared length over the cap is refused before a byte of the body is read', async () => {
    // Act
    const reply = await post('/v1/raw', undefined, 'x'.repeat(RAW_CAP + 1));

    // Assess
    expect(reply.status).toBe(413);
  });

  test('a body within the cap reaches the function whole', async () => {
    // Act
    const reply = await post('/v1/raw', undefined, 'x'.repeat(RAW_CAP - 2));

    // Assess
    expect(reply).toEqual({ status: 200, body: { bytes: RAW_CAP } });
  });

  test('malformed JSON to a local test hook is a 400 naming body, not a 500', async () => {
    // Act
    const res = await fetch(`${base}/local/cloudformation/failures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf('acme')}` },
      body: '{"stackName":',
    });

    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: 'body' } });
  });
});

describe('GET /local/executions/{id}', () => {
  test.each([
    ['no token', 401, undefined],
    ['another tenant’s token', 404, tokenOf('globex')],
    ['its tenant’s token', 200, tokenOf('acme')],
  ])('with %s → %s', async (_, status, token) => {
    // Act
    const res = await fetch(`${base}/local/executions/op_acme`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

    // Assess
    expect(res.status).toBe(status);
    if (status === 200) expect(await res.json()).toMatchObject({ name: 'op_acme', stateTransitions: 12 });
    else await res.body?.cancel();
  });
});
