import { client, newStack } from '../support/client';
import { startLocalServer, subscribe, type LocalServer } from '../support/local-server';

/**
 * End to end over HTTP against `npm start` (the same entry point, on a free port and a temp data
 * folder): what a new user does with the README's walk-through.
 */
describe('npm start, driven over HTTP', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer('walkthrough', ['--stack-delay', '50']);
  });

  afterAll(async () => {
    await server.dispose();
  });

  test('a stack and a stage reach SUCCEEDED with a URL; a PATCH rebuilds it; events stream as it happens', async () => {
    // Prepare
    const sse = await subscribe(server.url, server.token);

    // Act
    const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack());
    expect(stack.status).toBe(201);
    const created = await server.api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      {
        name: 'dev',
        loadBalancer: true,
        environment: { LOG_LEVEL: 'debug' },
      },
    );
    const createOp = await server.api.operationEnd(created.body.operation.operationId);
    const patched = await server.api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev`,
      {
        environment: { LOG_LEVEL: 'info', CUSTOM_ENV: 'x' },
      },
    );
    const patchOp = await server.api.operationEnd(patched.body.operation.operationId);

    // Assess
    expect(created.status).toBe(202);
    expect(createOp.status).toBe('SUCCEEDED');
    expect(patchOp.status).toBe('SUCCEEDED');
    const stage = await server.api.get<{
      url: string;
      outputs: Record<string, string>;
      serviceEnvironmentNames: string[];
    }>(`/v1/stacks/${stack.body.stackId}/stages/dev`);
    expect(stage.body.url).toMatch(/^https:\/\//);
    expect(stage.body.outputs.LoadBalancerDnsName).toMatch(/elb\.amazonaws\.com$/);
    expect(stage.body.serviceEnvironmentNames).toEqual(
      expect.arrayContaining(['CUSTOM_ENV', 'LOG_LEVEL', 'PORT']),
    );
    const ops = await server.api.get<{ items: { operationId: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/operations`,
    );
    expect(ops.body.items.map((o) => o.operationId)).toEqual([patchOp.operationId, createOp.operationId]);
    const stackEvents = await server.api.get<{ items: { status: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev/stack-events`,
    );
    expect(stackEvents.body.items[0]?.status).toBe('UPDATE_COMPLETE');
    const logs = await server.api.get<{ lines: { message: string }[] }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev/logs?type=app`,
    );
    expect(logs.body.lines.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    // The stack's build pipeline announces itself too (Pipeline Status Change); this test follows the stage.
    const seen = sse.events
      .filter((e) => e.event !== 'Pipeline Status Change')
      .map((e) => `${e.event}:${e.data.detail.status}`);
    // Each operation is one deployment of the stage (Deployment Status Change beside the operation's)
    const deployment = [
      'Operation Status Change:RUNNING',
      'Deployment Status Change:IN_PROGRESS',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
      'Deployment Status Change:SUCCEEDED',
    ];
    expect(seen).toEqual([...deployment, ...deployment]);
  });

  test('a stack told to fail ends FAILED with its reason', async () => {
    // Prepare
    const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack());
    const stackName = `tinystacks-${stack.body.stackId.replace('_', '-')}-qa`;
    expect(
      (
        await server.api.post('/local/cloudformation/failures', {
          stackName,
          logicalId: 'Cluster',
          reason: 'quota reached',
        })
      ).status,
    ).toBe(201);

    // Act
    const created = await server.api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'qa' },
    );
    const operation = await server.api.operationEnd(created.body.operation.operationId);

    // Assess
    expect(operation).toMatchObject({
      status: 'FAILED',
      error: 'Cluster (AWS::ECS::Cluster): quota reached',
    });
    const stage = await server.api.get(`/v1/stacks/${stack.body.stackId}/stages/qa`);
    expect(stage.body).toMatchObject({
      status: 'FAILED',
      lastError: operation.error,
      currentOperationId: null,
    });
  });

  test('no token → 401; another tenant → 404 for the same ids', async () => {
    // Prepare
    const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack());
    const other = client(server.url, server.tokenFor('other-tenant'));

    // Act / Assess
    expect((await client(server.url).get('/v1/stacks')).status).toBe(401);
    expect((await client(server.url, 'not.a.token').get('/v1/stacks')).status).toBe(401);
    expect((await other.get(`/v1/stacks/${stack.body.stackId}`)).status).toBe(404);
    expect((await other.get(`/v1/stacks/${stack.body.stackId}/stages`)).status).toBe(404);
    expect((await other.post(`/v1/stacks/${stack.body.stackId}/stages`, { name: 'dev' })).status).toBe(404);
    expect((await other.get('/v1/stacks')).body).toEqual({ items: [], nextToken: null });
  });

  test('two concurrent PATCHes: one 202, one 409 naming the running operation', async () => {
    // Prepare
    const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await server.api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev' },
    );
    await server.api.operationEnd(created.body.operation.operationId);

    // Act
    const path = `/v1/stacks/${stack.body.stackId}/stages/dev`;
    const replies = await Promise.all([
      server.api.patch(path, { port: 8080 }),
      server.api.patch(path, { port: 9090 }),
    ]);

    // Assess
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409]);
    const accepted = replies.find((r) => r.status === 202)!.body as { operation: { operationId: string } };
    const refused = replies.find((r) => r.status === 409)!.body as { error: { operationId: string } };
    expect(refused.error.operationId).toBe(accepted.operation.operationId);
    await server.api.operationEnd(accepted.operation.operationId);
  });

  test('Idempotency-Key replays the first response; bad input is a 400 naming the field', async () => {
    // Act
    const headers = { 'idempotency-key': 'create-shop-1' };
    const body = newStack();
    const first = await server.api.post('/v1/stacks', body, headers);
    const again = await server.api.post('/v1/stacks', body, headers);
    const different = await server.api.post('/v1/stacks', { ...body, name: 'other' }, headers);
    const unknownField = await server.api.post('/v1/stacks', { ...newStack(), colour: 'blue' });
    const reserved = await server.api.post(`/v1/stacks/${first.body.stackId}/stages`, {
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
    expect(
      (await server.api.get<{ stageCount: number }>(`/v1/stacks/${first.body.stackId}`)).body.stageCount,
    ).toBe(0);
  });
});
