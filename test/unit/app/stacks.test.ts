import type { PlatformEvent, WorkflowPort } from '../../../src/cloud/ports';
import { newRun } from '../../../src/app/pipelines';
import { deleteStack } from '../../../src/app/stacks';
import { onExecutionEnded } from '../../../src/events/backstops';
import { startDynamo, type LocalDynamo } from '../../../src/local/dynamo';
import { PipelineStore } from '../../../src/store/pipelines';
import { Store } from '../../../src/store/store';
import { domainErrorOfPromise as domainErrorOf } from '../../support/domain-errors';
import { aStack, newTenantId, TABLE_NAME } from '../../support/fixtures';

const workflowsThat = (start: WorkflowPort['start']): WorkflowPort => ({
  start,
  sendTaskSuccess: async () => 'delivered',
  sendTaskFailure: async () => 'delivered',
});
const started = workflowsThat(async (_workflow, name) => ({
  executionArn: `arn:x:${name}`,
  alreadyStarted: false,
}));

describe('deleting a stack (the use case)', () => {
  let dynamo: LocalDynamo;
  let store: Store;
  let pipelines: PipelineStore;

  beforeAll(async () => {
    dynamo = await startDynamo(TABLE_NAME);
    store = new Store(dynamo.documentClient, TABLE_NAME);
    pipelines = new PipelineStore(dynamo.documentClient, TABLE_NAME);
  });
  afterAll(() => dynamo.close());

  const anActiveStack = async (overrides: Partial<Parameters<typeof aStack>[0]> = {}) => {
    const tenantId = newTenantId();
    const stack = aStack({ tenantId, ...overrides });
    await store.putStack(stack);
    return { stack, caller: { tenantId, userId: 'u' } };
  };

  test('starts the delete-stack workflow on the stack’s pipeline stack, the stack DELETING', async () => {
    // Prepare
    const { stack, caller } = await anActiveStack();
    const starts: unknown[] = [];
    const workflows = workflowsThat(async (workflow, name, input) => {
      starts.push({ workflow, name, input });
      return { executionArn: 'arn:x', alreadyStarted: false };
    });

    // Act
    const operation = await deleteStack({ store, pipelines, workflows }, caller, stack.stackId);

    // Assess
    expect(operation).toMatchObject({ type: 'DELETE_STACK', status: 'PENDING', stackId: stack.stackId });
    expect(operation.stageName).toBeUndefined();
    expect(starts).toEqual([
      {
        workflow: 'deleteStack',
        name: operation.operationId,
        input: {
          tenantId: stack.tenantId,
          stackId: stack.stackId,
          operationId: operation.operationId,
          operationType: 'DELETE_STACK',
          cfnStackName: `tinystacks-${stack.stackId.replace('_', '-')}--pipeline`,
          target: { roleArn: stack.roleArn, region: stack.region },
        },
      },
    ]);
    expect(await store.getStack(stack.tenantId, stack.stackId)).toMatchObject({
      status: 'DELETING',
      lock: { operationId: operation.operationId },
    });
  });

  test('a workflow that cannot start leaves the stack as it was and the operation FAILED', async () => {
    // Prepare
    const { stack, caller } = await anActiveStack();
    const workflows = workflowsThat(async () => {
      throw new Error('Step Functions unavailable');
    });

    // Act
    const error = await deleteStack({ store, pipelines, workflows }, caller, stack.stackId).catch(
      (e: Error) => e,
    );

    // Assess
    expect((error as Error).message).toBe('Step Functions unavailable');
    const after = await store.requireStack(stack.tenantId, stack.stackId);
    expect(after.status).toBe('ACTIVE');
    expect(after.lock).toBeUndefined();
    const ops = await store.listOperations(stack.tenantId, stack.stackId, { limit: 5 });
    expect(ops.items.map((op) => op.status)).toEqual(['FAILED']);
  });

  test('409 while the pipeline is being created, or a run is in progress (naming it)', async () => {
    // Prepare
    const creating = await anActiveStack({
      pipeline: { status: 'CREATING', pipelineName: 'p', cfnStackName: 'c' },
    });
    const running = await anActiveStack();
    const run = newRun(running.stack, {
      trigger: 'manual',
      commit: {},
      requestedBy: 'u',
      author: { logins: ['u'], emails: [] },
    });
    await pipelines.putRun({ ...run, status: 'BUILDING' });

    // Act
    const whileCreating = await domainErrorOf(
      deleteStack({ store, pipelines, workflows: started }, creating.caller, creating.stack.stackId),
    );
    const whileRunning = await domainErrorOf(
      deleteStack({ store, pipelines, workflows: started }, running.caller, running.stack.stackId),
    );

    // Assess
    expect(whileCreating).toMatchObject({ status: 409, details: { pipeline: 'CREATING' } });
    expect(whileRunning).toMatchObject({ status: 409, details: { runIds: [run.runId] } });
    expect((await store.requireStack(running.stack.tenantId, running.stack.stackId)).lock).toBeUndefined();
  });

  test('the backstop: a deletion whose execution ended abnormally is FAILED, the stack DELETE_FAILED and free', async () => {
    // Prepare
    const { stack, caller } = await anActiveStack();
    const operation = await deleteStack({ store, pipelines, workflows: started }, caller, stack.stackId);
    const published: PlatformEvent[] = [];
    const bus = { publish: async (events: PlatformEvent[]) => void published.push(...events) };
    const input = { tenantId: stack.tenantId, stackId: stack.stackId, operationId: operation.operationId };

    // Act
    await onExecutionEnded(
      {
        detail: {
          executionArn: 'x',
          status: 'ABORTED',
          input: JSON.stringify(input),
          error: null,
          cause: null,
        },
      },
      { store, bus },
    );

    // Assess
    expect(await store.getOperation(stack.tenantId, operation.operationId)).toMatchObject({
      status: 'FAILED',
      error: 'the workflow ended ABORTED: no cause given',
    });
    expect(await store.requireStack(stack.tenantId, stack.stackId)).toMatchObject({
      status: 'DELETE_FAILED',
      lastError: 'the workflow ended ABORTED: no cause given',
    });
    expect(published).toEqual([
      {
        detailType: 'Operation Status Change',
        detail: {
          ...input,
          type: 'DELETE_STACK',
          status: 'FAILED',
          error: 'the workflow ended ABORTED: no cause given',
        },
      },
    ]);
  });
});
