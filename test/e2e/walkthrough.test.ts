import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, newStack, type Client } from '../support/client';

/**
 * End to end over HTTP against `npm start` (the same entry point, on a free port and a temp data
 * folder): what a new user does with the README's walk-through.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Sse {
  events: { event: string; data: { detail: Record<string, unknown> } }[];
  close(): void;
}

async function subscribe(url: string, token: string): Promise<Sse> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const sse: Sse = { events: [], close: () => controller.abort() };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) sse.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return sse;
}

describe('npm start, driven over HTTP', () => {
  let server: ChildProcess;
  let dataDir: string;
  let url: string;
  let token: string;
  let api: Client;
  let output = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tinystacks-e2e-'));
    const port = await freePort();
    server = spawn(
      'node_modules/.bin/tsx',
      ['src/local/main.ts', '--port', String(port), '--data', dataDir, '--stack-delay', '50'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'info' },
      },
    );
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!/listening on (http:\/\/\S+)/.test(output)) {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
    token = readFileSync(join(dataDir, 'local-token'), 'utf8').trim();
    api = client(url, token);
  });

  afterAll(async () => {
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a stack and a stage reach SUCCEEDED with a URL; a PATCH rebuilds it; events stream as it happens', async () => {
    // Prepare
    const sse = await subscribe(url, token);

    // Act
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack);
    expect(stack.status).toBe(201);
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      {
        name: 'dev',
        loadBalancer: true,
        environment: { LOG_LEVEL: 'debug' },
      },
    );
    const createOp = await api.operationEnd(created.body.operation.operationId);
    const patched = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev`,
      {
        environment: { LOG_LEVEL: 'info', CUSTOM_ENV: 'x' },
      },
    );
    const patchOp = await api.operationEnd(patched.body.operation.operationId);

    // Assess
    expect(created.status).toBe(202);
    expect(createOp.status).toBe('SUCCEEDED');
    expect(patchOp.status).toBe('SUCCEEDED');
    const stage = await api.get<{
      url: string;
      outputs: Record<string, string>;
      serviceEnvironmentNames: string[];
    }>(`/v1/stacks/${stack.body.stackId}/stages/dev`);
    expect(stage.body.url).toMatch(/^https:\/\//);
    expect(stage.body.outputs.LoadBalancerDnsName).toMatch(/elb\.amazonaws\.com$/);
    expect(stage.body.serviceEnvironmentNames).toEqual(
      expect.arrayContaining(['CUSTOM_ENV', 'LOG_LEVEL', 'PORT']),
    );
    const ops = await api.get<{ items: { operationId: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/operations`,
    );
    expect(ops.body.items.map((o) => o.operationId)).toEqual([patchOp.operationId, createOp.operationId]);
    const stackEvents = await api.get<{ items: { status: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev/stack-events`,
    );
    expect(stackEvents.body.items[0]?.status).toBe('UPDATE_COMPLETE');
    const logs = await api.get<{ lines: { message: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev/logs?type=app`,
    );
    expect(logs.body.lines.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    // The stack's build pipeline announces itself too (Pipeline Status Change); this test follows the stage.
    const seen = sse.events
      .filter((e) => e.event !== 'Pipeline Status Change')
      .map((e) => `${e.event}:${e.data.detail.status}`);
    expect(seen).toEqual([
      'Operation Status Change:RUNNING',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
      'Operation Status Change:RUNNING',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
    ]);
  });

  test('a stack told to fail ends FAILED with its reason', async () => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack);
    const stackName = `tinystacks-${stack.body.stackId.replace('_', '-')}-qa`;
    expect(
      (
        await api.post('/local/cloudformation/failures', {
          stackName,
          logicalId: 'Cluster',
          reason: 'quota reached',
        })
      ).status,
    ).toBe(201);

    // Act
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'qa' },
    );
    const operation = await api.operationEnd(created.body.operation.operationId);

    // Assess
    expect(operation).toMatchObject({
      status: 'FAILED',
      error: 'Cluster (AWS::ECS::Cluster): quota reached',
    });
    const stage = await api.get(`/v1/stacks/${stack.body.stackId}/stages/qa`);
    expect(stage.body).toMatchObject({
      status: 'FAILED',
      lastError: operation.error,
      currentOperationId: null,
    });
  });

  test('no token → 401; another tenant → 404 for the same ids', async () => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack);
    const made = spawnSync('node_modules/.bin/tsx', ['src/local/cli/token.ts', 'other-tenant'], {
      env: { ...process.env, TINYSTACKS_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    const other = client(url, made.stdout.trim());

    // Act / Assess
    expect((await client(url).get('/v1/stacks')).status).toBe(401);
    expect((await client(url, 'not.a.token').get('/v1/stacks')).status).toBe(401);
    expect((await other.get(`/v1/stacks/${stack.body.stackId}`)).status).toBe(404);
    expect((await other.get(`/v1/stacks/${stack.body.stackId}/stages`)).status).toBe(404);
    expect((await other.post(`/v1/stacks/${stack.body.stackId}/stages`, { name: 'dev' })).status).toBe(404);
    expect((await other.get('/v1/stacks')).body).toEqual({ items: [], nextToken: null });
  });

  test('two concurrent PATCHes: one 202, one 409 naming the running operation', async () => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack);
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev' },
    );
    await api.operationEnd(created.body.operation.operationId);

    // Act
    const path = `/v1/stacks/${stack.body.stackId}/stages/dev`;
    const replies = await Promise.all([api.patch(path, { port: 8080 }), api.patch(path, { port: 9090 })]);

    // Assess
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409]);
    const accepted = replies.find((r) => r.status === 202)!.body as { operation: { operationId: string } };
    const refused = replies.find((r) => r.status === 409)!.body as { error: { operationId: string } };
    expect(refused.error.operationId).toBe(accepted.operation.operationId);
    await api.operationEnd(accepted.operation.operationId);
  });

  test('Idempotency-Key replays the first response; bad input is a 400 naming the field', async () => {
    // Act
    const headers = { 'idempotency-key': 'create-shop-1' };
    const first = await api.post('/v1/stacks', newStack, headers);
    const again = await api.post('/v1/stacks', newStack, headers);
    const different = await api.post('/v1/stacks', { ...newStack, name: 'other' }, headers);
    const unknownField = await api.post('/v1/stacks', { ...newStack, colour: 'blue' });
    const reserved = await api.post(`/v1/stacks/${first.body.stackId}/stages`, {
      name: 'dev',
      environment: { PG_HOST: 'x' },
    });

    // Assess
    // The webhook secret is shown once: the idempotency record never keeps it.
    expect(again.body).toEqual({ ...first.body, webhookSecret: null });
    expect(first.body.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(different.status).toBe(422);
    expect(unknownField).toMatchObject({ status: 400, body: { error: { field: 'colour' } } });
    expect(reserved).toMatchObject({ status: 400, body: { error: { field: 'environment.PG_HOST' } } });
    expect((await api.get<{ stageCount: number }>(`/v1/stacks/${first.body.stackId}`)).body.stageCount).toBe(
      0,
    );
  });
});
