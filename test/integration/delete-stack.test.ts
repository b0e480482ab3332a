import { pipelineCfnStackNameOf, webhookSecretNameOf } from '../../src/domain/pipeline';
import type { BusEvent } from '../../src/local/bus';
import { LOCAL_SECRET_PREFIX } from '../../src/local/pipelines-runtime';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import { deliver, pushPayload, runStatus, stackWithStages } from '../support/pipeline';

interface OperationReply {
  operation: { operationId: string; type: string; status: string; stageName: string | null };
}
interface StackBody {
  stackId: string;
  name: string;
  status: string;
  currentOperationId: string | null;
  lastError: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; stages?: string[]; operationId?: string };
}

/**
 * DELETE /v1/stacks/{stackId} on the embedded runtime: the delete-stack workflow deletes the
 * stack's pipeline stack on the simulated CloudFormation (which refuses what AWS refuses), waits
 * for it, then removes the stack's records.
 */
describe('deleting a stack', () => {
  let runtime: Runtime;
  let api: Client;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 10, buildDelayMs: 20 });
    api = client(runtime.url, runtime.tokenFor('acme'));
    runtime.bus.subscribe((e) => {
      if (e.source === 'tinystacks') events.push(e);
    });
  });
  afterAll(async () => {
    await runtime.close();
  });

  /** By name, as CloudFormation answers: a deleted stack is not found (only its id describes it). */
  const pipelineStatus = async (stackId: string) =>
    (
      await runtime.cloudFormation
        .describeStacks({ StackName: pipelineCfnStackNameOf(stackId) }, 'us-east-1')
        .catch(() => ({ Stacks: [] }))
    ).Stacks?.[0]?.StackStatus;

  test('a stack whose pipeline ran: the pipeline stack is deleted, then the stack, its name and its webhook secret', async () => {
    // Prepare: a pipeline that built an image (ECR) and left artifacts (the retained bucket)
    const stack = await stackWithStages(api, [], {});
    expect(await pipelineStatus(stack.stackId)).toBe('CREATE_COMPLETE');
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    await runStatus(api, String(pushed.body.runId), ['SUCCEEDED']);
    const name = (await api.get<StackBody>(`/v1/stacks/${stack.stackId}`)).body.name;

    // Act
    const started = await api.delete<OperationReply>(`/v1/stacks/${stack.stackId}`);
    const during = await api.get<StackBody>(`/v1/stacks/${stack.stackId}`);
    const ended = await api.operationEnd(started.body.operation.operationId);

    // Assess
    expect(started.status).toBe(202);
    expect(started.body.operation).toMatchObject({
      type: 'DELETE_STACK',
      status: 'PENDING',
      stageName: null,
    });
    expect(during.body).toMatchObject({
      status: 'DELETING',
      currentOperationId: started.body.operation.operationId,
    });
    expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect((await api.get(`/v1/stacks/${stack.stackId}`)).status).toBe(404);
    expect(await pipelineStatus(stack.stackId)).toBeUndefined();
    expect(await runtime.pipelines.secrets.get(webhookSecretNameOf(LOCAL_SECRET_PREFIX, stack.stackId))).toBe(
      undefined,
    );
    const again = await api.post('/v1/stacks', {
      name,
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
    });
    expect(again.status).toBe(201);
    const ofOperation = events.filter((e) => e.detail.operationId === started.body.operation.operationId);
    expect(ofOperation.map((e) => `${e['detail-type']}:${String(e.detail.status)}`)).toEqual([
      'Operation Status Change:RUNNING',
      'Operation Status Change:SUCCEEDED',
    ]);
    for (const event of ofOperation) expect(validateEvent(event)).toEqual([]);
    // Mark, emit, register, delete, existed?, wait, describe, deleted?, remove, mark, emit.
    expect(runtime.workflows.execution(started.body.operation.operationId)?.stateTransitions).toBe(11);
  });

  test('DELETE_FAILED: the operation FAILED with CloudFormation’s reason, the stack kept DELETE_FAILED; deleting again succeeds', async () => {
    // Prepare
    const stack = await stackWithStages(api, [], {});
    runtime.cloudFormation.failWhen({
      stackName: pipelineCfnStackNameOf(stack.stackId),
      logicalId: 'BuildProject',
      operation: 'delete',
      reason: 'Project is in use (simulated)',
      once: true,
    });

    // Act
    const first = await api.delete<OperationReply>(`/v1/stacks/${stack.stackId}`);
    const failed = await api.operationEnd(first.body.operation.operationId);
    const kept = await api.get<StackBody>(`/v1/stacks/${stack.stackId}`);
    const stage = await api.post<ErrorBody>(`/v1/stacks/${stack.stackId}/stages`, { name: 'dev' });
    const run = await api.post<ErrorBody>(`/v1/stacks/${stack.stackId}/runs`, {});
    const retry = await api.delete<OperationReply>(`/v1/stacks/${stack.stackId}`);
    const retried = await api.operationEnd(retry.body.operation.operationId);

    // Assess
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('BuildProject (AWS::CodeBuild::Project): Project is in use (simulated)'),
    });
    expect(kept.body).toMatchObject({
      status: 'DELETE_FAILED',
      currentOperationId: null,
      lastError: failed.error,
    });
    expect(stage.status).toBe(409);
    expect(stage.body.error.message).toMatch(/deletion failed: delete it again/);
    expect(run.status).toBe(409);
    expect(retry.status).toBe(202);
    expect(retried).toMatchObject({ status: 'SUCCEEDED' });
    expect((await api.get(`/v1/stacks/${stack.stackId}`)).status).toBe(404);
    expect(await pipelineStatus(stack.stackId)).toBeUndefined();
    const failure = events.find(
      (e) => e.detail.operationId === first.body.operation.operationId && e.detail.status === 'FAILED',
    )!;
    expect(failure.detail).toMatchObject({ type: 'DELETE_STACK', error: failed.error });
    expect(validateEvent(failure)).toEqual([]);
  });

  test('409 while stages exist (naming them) or another deletion runs (naming it); a repeat with the same Idempotency-Key replays', async () => {
    // Prepare
    const withStages = await stackWithStages(api, [{ name: 'dev' }, { name: 'prod' }], {});
    const empty = await stackWithStages(api, [], {});

    // Act
    const refused = await api.delete<ErrorBody>(`/v1/stacks/${withStages.stackId}`);
    const first = await api.delete<OperationReply>(`/v1/stacks/${empty.stackId}`, {
      'idempotency-key': 'k-1',
    });
    const replay = await api.delete<OperationReply>(`/v1/stacks/${empty.stackId}`, {
      'idempotency-key': 'k-1',
    });
    const busy = await api.delete<ErrorBody>(`/v1/stacks/${empty.stackId}`);
    await api.operationEnd(first.body.operation.operationId);

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ stages: ['dev', 'prod'] });
    expect(refused.body.error.message).toMatch(/delete them first \(dev, prod\)/);
    expect((await api.get<StackBody>(`/v1/stacks/${withStages.stackId}`)).body.status).toBe('ACTIVE');
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.operation.operationId).toBe(first.body.operation.operationId);
    expect(busy.status).toBe(409);
    expect(busy.body.error.operationId).toBe(first.body.operation.operationId);
  });

  test('a stack whose pipeline stack is gone already (a failed pipeline) is deleted without waiting', async () => {
    // Prepare
    const stack = await stackWithStages(api, [], {});
    await runtime.cloudFormation.deleteStack(
      { StackName: pipelineCfnStackNameOf(stack.stackId) },
      'us-east-1',
    );
    await runtime.cloudFormation.whenIdle();

    // Act
    const started = await api.delete<OperationReply>(`/v1/stacks/${stack.stackId}`);
    const ended = await api.operationEnd(started.body.operation.operationId);

    // Assess
    expect(ended.status).toBe('SUCCEEDED');
    expect((await api.get(`/v1/stacks/${stack.stackId}`)).status).toBe(404);
    // Mark, emit, register, delete, existed? (no), remove, mark, emit.
    expect(runtime.workflows.execution(started.body.operation.operationId)?.stateTransitions).toBe(8);
  });
});
