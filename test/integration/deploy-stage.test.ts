import { cfnStackNameOf } from '../../src/domain/stage';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, newStack, type Client } from '../support/client';

/**
 * The create-stage, update-stage and delete-stage workflows on the local engine: the real ASL, the
 * real task functions and store, the simulated CloudFormation.
 */
describe('stage workflows on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 20 });
    api = client(runtime.url, runtime.tokenFor('acme'));
    runtime.bus.subscribe((e) => {
      if (e.source === 'tinystacks') events.push(e);
    });
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });
  afterEach(() => runtime.cloudFormation.clearFailures());

  async function stackWithStage(stage: Record<string, unknown> = { name: 'dev' }) {
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      stage,
    );
    expect(created.status).toBe(202);
    return { stackId: stack.body.stackId, operationId: created.body.operation.operationId };
  }

  test('create: the stage becomes ACTIVE with its URL, the operation SUCCEEDED, events emitted in order', async () => {
    // Prepare / Act
    const { stackId, operationId } = await stackWithStage({
      name: 'dev',
      environment: { API_URL: 'https://x' },
    });
    const operation = await api.operationEnd(operationId);

    // Assess
    expect(operation.status).toBe('SUCCEEDED');
    const stage = await api.get(`/v1/stacks/${stackId}/stages/dev`);
    expect(stage.body).toMatchObject({ status: 'ACTIVE', currentOperationId: null });
    expect(stage.body.url).toMatch(/^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com$/);
    expect(stage.body.serviceEnvironmentNames).toEqual(expect.arrayContaining(['API_URL', 'PORT']));
    const mine = events
      .filter((e) => e.detail.operationId === operationId)
      .map((e) => `${e['detail-type']}:${e.detail.status}`);
    expect(mine).toEqual([
      'Operation Status Change:RUNNING',
      'Deployment Status Change:IN_PROGRESS',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
      'Deployment Status Change:SUCCEEDED',
    ]);
    expect(runtime.workflows.execution(operationId)?.stateTransitions).toBe(12);
  });

  test('create failure: a resource fails, the stack rolls back and is removed, the stage FAILED and unlocked', async () => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    runtime.cloudFormation.failWhen({
      stackName: cfnStackNameOf(stack.body.stackId, 'dev'),
      logicalId: 'Service',
      once: true,
    });

    // Act
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      {
        name: 'dev',
      },
    );
    const operation = await api.operationEnd(created.body.operation.operationId);

    // Assess
    expect(operation.status).toBe('FAILED');
    expect(operation.error).toMatch(/^Service \(AWS::ECS::Service\): /);
    const stage = await api.get(`/v1/stacks/${stack.body.stackId}/stages/dev`);
    expect(stage.body).toMatchObject({
      status: 'FAILED',
      currentOperationId: null,
      lastError: operation.error,
    });
    const failure = events.find(
      (e) => e.detail.operationId === operation.operationId && e['detail-type'] === 'Stage Status Change',
    );
    expect(failure?.detail).toMatchObject({ status: 'FAILED', error: operation.error });
    const described = await runtime.cloudFormation
      .describeStacks({ StackName: cfnStackNameOf(stack.body.stackId, 'dev') }, 'us-east-1')
      .catch((e: Error) => e.name);
    expect(described).toBe('ValidationError'); // the ROLLBACK_COMPLETE stack was deleted

    // Act: a PATCH retries the build, creating the stack again
    const retry = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages/dev`,
      {
        port: 8080,
      },
    );
    expect((await api.operationEnd(retry.body.operation.operationId)).status).toBe('SUCCEEDED');
  });

  test('update: PATCH rebuilds the stage with the new settings; a failed update rolls back and is reported', async () => {
    // Prepare
    const { stackId, operationId } = await stackWithStage();
    await api.operationEnd(operationId);

    // Act
    const patch = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stackId}/stages/dev`,
      {
        environment: { FEATURE: 'on' },
        origins: ['https://app.example.com'],
      },
    );
    const updated = await api.operationEnd(patch.body.operation.operationId);

    // Assess
    expect(updated.status).toBe('SUCCEEDED');
    const stage = await api.get<{ serviceEnvironmentNames: string[]; settings: { origins: string[] } }>(
      `/v1/stacks/${stackId}/stages/dev`,
    );
    expect(stage.body.serviceEnvironmentNames).toContain('FEATURE');
    expect(stage.body.settings.origins).toEqual(['https://app.example.com']);

    // Act: the next update fails on a resource
    runtime.cloudFormation.failWhen({
      stackName: cfnStackNameOf(stackId, 'dev'),
      logicalId: 'TaskDefinition',
    });
    const failing = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stackId}/stages/dev`,
      {
        port: 9000,
      },
    );
    const failed = await api.operationEnd(failing.body.operation.operationId);

    // Assess: the stage shows what is deployed (it rolled back), the failed request apart, and stays usable
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/TaskDefinition/);
    const after = await api.get(`/v1/stacks/${stackId}/stages/dev`);
    expect(after.body).toMatchObject({
      status: 'ACTIVE',
      currentOperationId: null,
      settings: { port: 80, environment: { FEATURE: 'on' } },
      pendingChange: null,
      failedChange: { port: 9000, operationId: failed.operationId, reason: failed.error },
      lastError: failed.error,
    });
    expect(after.body.failedChange).not.toHaveProperty('environment');
    runtime.cloudFormation.clearFailures();
    const retried = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stackId}/stages/dev`,
      { port: 9000 },
    );
    expect((await api.operationEnd(retried.body.operation.operationId)).status).toBe('SUCCEEDED');
    const fixed = await api.get(`/v1/stacks/${stackId}/stages/dev`);
    expect(fixed.body).toMatchObject({ settings: { port: 9000 }, failedChange: null, lastError: null });
  });

  test('delete: the stack is torn down and the stage removed; the stack can then be deleted', async () => {
    // Prepare
    const { stackId, operationId } = await stackWithStage();
    await api.operationEnd(operationId);
    expect((await api.delete(`/v1/stacks/${stackId}`)).status).toBe(409);

    // Act
    const deletion = await api.delete<{ operation: { operationId: string } }>(
      `/v1/stacks/${stackId}/stages/dev`,
    );
    const operation = await api.operationEnd(deletion.body.operation.operationId);

    // Assess
    expect(operation.status).toBe('SUCCEEDED');
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev`)).status).toBe(404);
    const stackDeletion = await api.delete<{ operation: { operationId: string } }>(`/v1/stacks/${stackId}`);
    expect(stackDeletion.status).toBe(202);
    expect((await api.operationEnd(stackDeletion.body.operation.operationId)).status).toBe('SUCCEEDED');
  });
});

describe('waits on CloudFormation without its status events', () => {
  test('a lost event: the token wait times out, the workflow reads the stack and carries on', async () => {
    // Prepare
    const runtime = await startRuntime({
      port: 0,
      stackDelayMs: 20,
      dropStackEvents: true,
      tokenTimeoutSeconds: 1,
    });
    const api = client(runtime.url, runtime.tokenFor('acme'));
    try {
      const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());

      // Act
      const created = await api.post<{ operation: { operationId: string } }>(
        `/v1/stacks/${stack.body.stackId}/stages`,
        {
          name: 'dev',
        },
      );
      const operation = await api.operationEnd(created.body.operation.operationId);

      // Assess
      expect(operation.status).toBe('SUCCEEDED');
    } finally {
      await runtime.workflows.idle();
      await runtime.close();
    }
  });

  test('a stack that never finishes: the bounded wait gives up and the operation FAILS with the reason', async () => {
    // Prepare: CloudFormation takes an hour per step; each wait times out after 1 s
    const runtime = await startRuntime({
      port: 0,
      stackDelayMs: 3_600_000,
      dropStackEvents: true,
      tokenTimeoutSeconds: 1,
    });
    const api = client(runtime.url, runtime.tokenFor('acme'));
    try {
      const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());

      // Act
      const created = await api.post<{ operation: { operationId: string } }>(
        `/v1/stacks/${stack.body.stackId}/stages`,
        {
          name: 'dev',
        },
      );
      const operation = await api.operationEnd(created.body.operation.operationId, 30_000);

      // Assess
      expect(operation.status).toBe('FAILED');
      expect(operation.error).toMatch(/did not finish/);
      const stage = await api.get(`/v1/stacks/${stack.body.stackId}/stages/dev`);
      expect(stage.body).toMatchObject({ status: 'FAILED', currentOperationId: null });
    } finally {
      await runtime.workflows.idle();
      await runtime.close();
    }
  });
});
