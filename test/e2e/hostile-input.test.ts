import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { routes } from '../../src/api/routes';
import { signGitHubPayload } from '../../src/domain/github';
import { TENANT_CLAIM } from '../../src/domain/caller';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signClaims } from '../../src/local/jwt';
import { newStack } from '../support/client';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { pushPayload } from '../support/pipeline';

/**
 * `npm start` attacked as the issue attacked it, over every documented route (src/api/routes.ts,
 * which the OpenAPI document is made from) and the embedded runtime's own: broken percent-encoding,
 * prototype-member keys, bodies of the wrong shape or over the cap, forged claims, and signed
 * GitHub payloads of the wrong shape. Every answer must be a 4xx (never a 5xx), and a push refused
 * for its shape must still start its run when GitHub redelivers it.
 */
jest.setTimeout(180_000);

interface Answer {
  status: number;
  body: string;
}

/** One raw HTTP exchange (GET with a body, broken encodings: what fetch will not send). */
function exchange(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Content-Length always: Node sends a GET or DELETE body without it, which is no HTTP at all.
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request(`${base}${path}`, { method, headers: { ...headers, ...length } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    req.end(body);
  });
}

const BROKEN = '%E0%A4%A';
const MB = 1024 * 1024;
const IDS: Record<string, string> = {
  approvalId: 'apr_01jn8jc080jdpw4jc4hepvfnvh',
  subscriptionId: 'sub_01jn8jc080jdpw4jc4hepvfnvh',
  stageName: 'dev',
  engine: 'postgres',
};

let server: LocalServer;
let jwtSecret: string;
let stackId: string;
let webhookSecret: string;
let answers: { what: string; status: number }[];

/** Every answer of the run, to assert none was a 5xx. */
async function send(
  what: string,
  method: string,
  path: string,
  options: { token?: string | null; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const token = options.token === undefined ? server.token : options.token;
  const answer = await exchange(
    server.url,
    method,
    path,
    {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    options.body,
  );
  answers.push({ what: `${what}: ${method} ${path.slice(0, 80)}`, status: answer.status });
  return answer;
}

const pathOf = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? encodeURIComponent(IDS[name] ?? 'x'));

const claimsToken = (claims: Record<string, unknown>) =>
  signClaims(jwtSecret, {
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    exp: Math.floor(Date.now() / 1000) + 600,
    ...claims,
  });

function signedPush(body: string, deliveryId: string, event = 'push') {
  return {
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signGitHubPayload(webhookSecret, body),
  };
}

beforeAll(async () => {
  server = await startLocalServer('hostile', ['--stack-delay', '50', '--build-delay', '300']);
  jwtSecret = readFileSync(join(server.dataDir, 'jwt-secret'), 'utf8').trim();
  answers = [];
  const stack = await server.api.post<{ stackId: string; webhookSecret: string }>('/v1/stacks', newStack());
  stackId = stack.body.stackId;
  webhookSecret = stack.body.webhookSecret;
  const stage = await server.api.post<{ operation: { operationId: string } }>(
    `/v1/stacks/${stackId}/stages`,
    { name: 'dev' },
  );
  IDS.operationId = stage.body.operation.operationId;
  await server.api.operationEnd(IDS.operationId);
  IDS.stackId = stackId;
  IDS.runId = 'run_01jn8jc080jdpw4jc4hepvfnvh';
});

afterAll(async () => {
  await server?.dispose();
});

describe('every documented route', () => {
  test('a path parameter with broken percent-encoding is a 400 naming it', async () => {
    // Act
    const refused: { path: string; status: number; field?: string }[] = [];
    for (const route of routes) {
      for (const name of route.path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        const path = pathOf(route.path, { [name]: BROKEN });
        const answer = await send('broken encoding', route.method, path);
        refused.push({ path, status: answer.status, field: JSON.parse(answer.body || '{}').error?.field });
      }
    }

    // Assess
    expect(refused.length).toBeGreaterThan(30);
    for (const r of refused) expect(r).toMatchObject({ status: 400 });
    expect(new Set(refused.map((r) => r.field))).toEqual(
      new Set([
        'stackId',
        'stageName',
        'engine',
        'operationId',
        'runId',
        'approvalId',
        'subscriptionId',
        'deploymentId',
      ]),
    );
  });

  test('broken encodings and prototype-member names in a query are a 4xx, never acted on', async () => {
    // Act
    const statuses: number[] = [];
    for (const route of routes.filter((r) => r.method === 'GET' && r.query)) {
      const path = pathOf(route.path, {});
      for (const query of [`limit=${BROKEN}`, `nextToken=${BROKEN}`, '__proto__=x', 'constructor=x']) {
        statuses.push((await send('hostile query', 'GET', `${path}?${query}`)).status);
      }
    }

    // Assess
    expect(statuses.length).toBeGreaterThan(20);
    const notRefused = answers.filter(
      (a) => a.what.startsWith('hostile query') && (a.status < 400 || a.status >= 500),
    );
    expect(notRefused).toEqual([]);
  });

  test('bodies of every wrong kind are a 4xx, and a body over the cap a 413 that was not read whole', async () => {
    // Prepare
    const bodies = [
      ['prototype-member keys', '{"__proto__":{"isAdmin":true},"constructor":"x","toString":"y"}'],
      ['broken JSON', '{"name":'],
      ['null', 'null'],
      ['a list', '[1,2]'],
      ['a string', '"shop"'],
      ['nested __proto__', '{"environment":{"__proto__":"x"},"database":{"__proto__":{}}}'],
    ] as const;
    const oversize = Buffer.alloc(2 * MB, 'x');

    // Act
    const statuses: Record<string, number[]> = {};
    for (const route of routes) {
      const path = pathOf(route.path, {});
      for (const [what, body] of bodies)
        (statuses[what] ??= []).push((await send(what, route.method, path, { body })).status);
      (statuses.oversize ??= []).push(
        (await send('oversize', route.method, path, { body: oversize })).status,
      );
    }

    // Assess: every one refused; the oversize ones by their size.
    const notRefused = Object.entries(statuses).flatMap(([what, list]) =>
      list.filter((status) => status < 400 || status >= 500).map((status) => ({ what, status })),
    );
    expect(notRefused).toEqual([]);
    expect(statuses.oversize).toHaveLength(routes.length);
    expect(new Set(statuses.oversize)).toEqual(new Set([413]));
  });

  test('forged claims get the same 401 on REST, the event stream and the approval routes', async () => {
    // Prepare
    const forged = [
      claimsToken({ sub: 'u', [TENANT_CLAIM]: 42 }),
      claimsToken({ sub: 'u', [TENANT_CLAIM]: '' }),
      claimsToken({ sub: { id: 1 }, [TENANT_CLAIM]: 'local' }),
      claimsToken({ sub: 'u', [TENANT_CLAIM]: 'local', nbf: Math.floor(Date.now() / 1000) + 3600 }),
    ];

    // Act
    const statuses: number[] = [];
    for (const token of forged) {
      for (const route of routes.filter((r) => r.auth === 'jwt' && r.method === 'GET'))
        statuses.push((await send('forged claims', 'GET', pathOf(route.path, {}), { token })).status);
      statuses.push((await send('forged claims', 'GET', '/v1/events', { token })).status);
      const decide = await send('forged claims', 'POST', `/v1/approvals/${IDS.approvalId}`, {
        token,
        body: '{"decision":"approve"}',
      });
      statuses.push(decide.status);
    }

    // Assess
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});

describe('the GitHub webhook', () => {
  test('signed payloads of the wrong shape are a 400 and recorded nowhere: GitHub’s redelivery starts the run', async () => {
    // Prepare
    const shapes = [
      'null',
      JSON.stringify({ ...pushPayload(), ref: ['refs/heads/main'] }),
      JSON.stringify({ ...pushPayload(), head_commit: { id: 'a'.repeat(40), message: { html: '<b>' } } }),
      JSON.stringify({ ...pushPayload(), repository: 'acme/shop' }),
    ];
    const path = `/v1/webhooks/github?stack=${stackId}`;

    // Act
    const outcomes: { refused: number; redelivered: number; runId?: string }[] = [];
    for (const body of shapes) {
      const deliveryId = randomUUID();
      const refused = await send('wrong shape', 'POST', path, {
        token: null,
        headers: signedPush(body, deliveryId),
        body,
      });
      const good = JSON.stringify(pushPayload());
      const again = await send('redelivery', 'POST', path, {
        token: null,
        headers: signedPush(good, deliveryId),
        body: good,
      });
      outcomes.push({
        refused: refused.status,
        redelivered: again.status,
        runId: JSON.parse(again.body).runId,
      });
    }

    // Assess
    for (const outcome of outcomes)
      expect(outcome).toEqual({ refused: 400, redelivered: 202, runId: expect.stringMatching(/^run_/) });
  });

  test('20 copies of one push at once make one run; an unsigned 10 MB body is a 413', async () => {
    // Prepare
    const body = JSON.stringify(pushPayload({ sha: 'c'.repeat(40) }));
    const headers = signedPush(body, randomUUID());
    const path = `/v1/webhooks/github?stack=${stackId}`;

    // Act
    const copies = await Promise.all(
      Array.from({ length: 20 }, () => send('copies', 'POST', path, { token: null, headers, body })),
    );
    const huge = await send('huge', 'POST', path, { token: null, body: Buffer.alloc(10 * MB, 'x') });

    // Assess
    expect(copies.filter((c) => c.status === 202)).toHaveLength(1);
    expect(copies.filter((c) => c.status === 200)).toHaveLength(19);
    expect(huge.status).toBe(413);
  });
});

describe('names', () => {
  test('Object.prototype members are refused as variable names, by name, on create and on PATCH', async () => {
    // Act
    const names = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];
    const created = [];
    const patched = [];
    for (const name of names) {
      const environment = `{"${name}":"x","LOG_LEVEL":"info"}`;
      created.push(
        await send('member names', 'POST', `/v1/stacks/${stackId}/stages`, {
          body: `{"name":"protos","environment":${environment}}`,
        }),
      );
      patched.push(
        await send('member names', 'PATCH', `/v1/stacks/${stackId}/stages/dev`, {
          body: `{"environment":${environment}}`,
        }),
      );
    }

    // Assess
    const fieldsOf = (answers: Answer[]) =>
      answers.map((a) => ({ status: a.status, field: JSON.parse(a.body).error?.field as unknown }));
    const expected = names.map((name) => ({ status: 400, field: `environment.${name}` }));
    expect(fieldsOf(created)).toEqual(expected);
    expect(fieldsOf(patched)).toEqual(expected);
  });

  test('a stack name already used in the tenant, in any case, is a 409', async () => {
    // Act
    const first = await send('names', 'POST', '/v1/stacks', { body: JSON.stringify(newStack('Payments')) });
    const again = await send('names', 'POST', '/v1/stacks', { body: JSON.stringify(newStack('PAYMENTS')) });

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body).error).toMatchObject({
      field: 'name',
      stackId: JSON.parse(first.body).stackId,
    });
  });
});

describe('page tokens', () => {
  test('a token continues its own list only: the next page of the logs, a 400 anywhere else', async () => {
    // Prepare: the stage's access log holds the requests made about it.
    const base = `/v1/stacks/${stackId}/stages/dev`;
    for (let i = 0; i < 3; i++) await send('page tokens', 'GET', base);
    const first = JSON.parse((await send('page tokens', 'GET', `${base}/logs?type=access&limit=1`)).body);

    // Act
    const token = encodeURIComponent(first.nextToken as string);
    const second = await send('page tokens', 'GET', `${base}/logs?type=access&limit=1&nextToken=${token}`);
    const appLog = await send('page tokens', 'GET', `${base}/logs?type=app&nextToken=${token}`);
    const events = await send('page tokens', 'GET', `${base}/stack-events?nextToken=${token}`);

    // Assess
    expect(first.lines).toHaveLength(1);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body).lines[0]).not.toEqual(first.lines[0]);
    expect([appLog.status, events.status]).toEqual([400, 400]);
    expect(JSON.parse(events.body).error.field).toBe('nextToken');
  });
});

describe('the embedded runtime’s own endpoints', () => {
  test('test hooks refuse bad JSON and big bodies; executions are the caller’s tenant’s only', async () => {
    // Act
    const statuses = {
      cfnBadJson: (await send('hooks', 'POST', '/local/cloudformation/failures', { body: '{"stackName":' }))
        .status,
      cfnHuge: (
        await send('hooks', 'POST', '/local/cloudformation/failures', { body: Buffer.alloc(2 * MB, 'x') })
      ).status,
      buildBadJson: (await send('hooks', 'POST', '/local/pipelines/failures', { body: '[' })).status,
      executionNoToken: (await send('hooks', 'GET', `/local/executions/${IDS.operationId}`, { token: null }))
        .status,
      executionOtherTenant: (
        await send('hooks', 'GET', `/local/executions/${IDS.operationId}`, {
          token: server.tokenFor('globex'),
        })
      ).status,
      executionOwn: (await send('hooks', 'GET', `/local/executions/${IDS.operationId}`)).status,
      executionBroken: (await send('hooks', 'GET', `/local/executions/${BROKEN}`)).status,
    };

    // Assess
    expect(statuses).toEqual({
      cfnBadJson: 400,
      cfnHuge: 413,
      buildBadJson: 400,
      executionNoToken: 401,
      executionOtherTenant: 404,
      executionOwn: 200,
      executionBroken: 404,
    });
  });
});

describe('over the whole run', () => {
  test('not one 5xx, and no request logged as failed', () => {
    // Assess
    expect(answers.length).toBeGreaterThan(400);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(server.output()).not.toMatch(/"level":"error"[^\n]*"message":"request failed/);
  });
});
