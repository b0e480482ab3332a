import type { WorkflowPort } from '../../../src/cloud/ports';
import type { ApiDeps } from '../../../src/app/deps';
import { createStage, updateStage } from '../../../src/app/stages';
import { startDynamo, type LocalDynamo } from '../../../src/local/dynamo';
import { DatabaseStore } from '../../../src/store/databases';
import { ApprovalStore } from '../../../src/store/approvals';
import { PipelineStore } from '../../../src/store/pipelines';
import { Store } from '../../../src/store/store';
import { onExecutionEnded } from '../../../src/events/backstops';
import { deploymentIdOf } from '../../../src/domain/deployment';
import type { PlatformEvent } from '../../../src/cloud/ports';
import { aStack, newTenantId, TABLE_NAME } from '../../support/fixtures';

const settings: ApiDeps['settings'] = {
  requireRoleArn: false,
  simulatedRoleArn: 'arn:aws:iam::000000000000:role/simulated',
  platformPrincipalArn: 'arn:aws:iam::000000000000:role/p',
  verifierPrincipalArn: 'arn:aws:iam::000000000000:role/v',
  eventBusArn: 'arn:aws:events:local:000000000000:event-bus/b',
  defaultImageUri: 'nginx',
};

const workflowsThat = (start: WorkflowPort['start']): WorkflowPort => ({
  start,
  sendTaskSuccess: async () => 'delivered',
  sendTaskFailure: async () => 'delivered',
});

describe('starting stage operations', () => {
  let dynamo: LocalDynamo;
  let store: Store;

  beforeAll(async () => {
    dynamo = await startDynamo(TABLE_NAME);
    store = new Store(dynamo.documentClient, TABLE_NAME);
  });
  afterAll(() => dynamo.close());

  test('a workflow that cannot start leaves no stage behind and a FAILED operation', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const workflows = workflowsThat(async () => {
      throw new Error('Step Functions unavailable');
    });
    const caller = { tenantId, userId: 'u' };

    // Act
    const attempt = createStage({ store, workflows, settings }, caller, stack.stackId, { name: 'dev' });

    // Assess
    await expect(attempt).rejects.toThrow('Step Functions unavailable');
    expect(await store.getStage(tenantId, stack.stackId, 'dev')).toBeUndefined();
    expect((await store.getStack(tenantId, stack.stackId))?.stageCount).toBe(0);
    const [operation] = (await store.listOperations(tenantId, stack.stackId, {})).items;
    expect(operation).toMatchObject({ type: 'CREATE_STAGE', status: 'FAILED' });
  });

  test('a stage whose workflow cannot start forgets what was asked for with it', async () => {
    // Prepare: a stage asked for with a bastion, which would start once the stage is ACTIVE
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const databases = new DatabaseStore(dynamo.documentClient, TABLE_NAME);
    const workflows = workflowsThat(async () => {
      throw new Error('Step Functions unavailable');
    });
    const body = { name: 'dev', bastion: { allowedCidrs: ['203.0.113.7/32'] } };

    // Act
    const attempt = createStage(
      { store, workflows, settings, databases },
      { tenantId, userId: 'u' },
      stack.stackId,
      body,
    );

    // Assess: a stage of that name made later does not inherit the bastion
    await expect(attempt).rejects.toThrow('Step Functions unavailable');
    expect(
      await databases.takeFollowUp({ tenantId, stackId: stack.stackId, stageName: 'dev' }),
    ).toBeUndefined();
  });

  test('a retried start of the same execution is accepted as already started', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const starts: string[] = [];
    const workflows = workflowsThat(async (_workflow, name) => {
      starts.push(name);
      return {
        executionArn: `arn:aws:states:local:0:execution:deployStage:${name}`,
        alreadyStarted: starts.length > 1,
      };
    });

    // Act
    const operation = await createStage(
      { store, workflows, settings },
      { tenantId, userId: 'u' },
      stack.stackId,
      {
        name: 'dev',
      },
    );

    // Assess
    expect(starts).toEqual([operation.operationId]);
    expect(operation.executionArn).toContain(operation.operationId);
    expect((await store.getStage(tenantId, stack.stackId, 'dev'))?.lock?.operationId).toBe(
      operation.operationId,
    );
  });

  test('a create is a deployment of the stage; a PATCH whose workflow cannot start leaves none', async () => {
    // Prepare: a stage whose create deployed
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const caller = { tenantId, userId: 'u' };
    const started = workflowsThat(async (_w, name) => ({ executionArn: name, alreadyStarted: false }));
    const created = await createStage({ store, workflows: started, settings }, caller, stack.stackId, {
      name: 'dev',
    });
    await store.releaseStageLock(
      { tenantId, stackId: stack.stackId, name: 'dev' },
      created.operationId,
      'ACTIVE',
    );
    const failing = workflowsThat(async () => {
      throw new Error('Step Functions unavailable');
    });

    // Act
    const attempt = updateStage(
      {
        store,
        workflows: failing,
        settings,
        approvals: new ApprovalStore(dynamo.documentClient, TABLE_NAME),
        pipelines: new PipelineStore(dynamo.documentClient, TABLE_NAME),
      },
      caller,
      stack.stackId,
      'dev',
      { port: 8080 },
    );

    // Assess
    await expect(attempt).rejects.toThrow('Step Functions unavailable');
    const stage = (await store.getStage(tenantId, stack.stackId, 'dev'))!;
    const deployments = (await store.deployments.list(stage, {})).items;
    expect(deployments.map((d) => [d.operationId, d.status])).toEqual([[created.operationId, 'IN_PROGRESS']]);
    expect(stage).toMatchObject({ status: 'ACTIVE', port: 80 });
    expect(stage.lock).toBeUndefined();
  });

  test('a PATCH while the stage is busy is a 409 naming the operation that holds it', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const workflows = workflowsThat(async (_w, name) => ({ executionArn: name, alreadyStarted: false }));
    const created = await createStage(
      { store, workflows, settings },
      { tenantId, userId: 'u' },
      stack.stackId,
      {
        name: 'dev',
      },
    );

    // Act
    const attempt = updateStage(
      {
        store,
        workflows,
        settings,
        approvals: new ApprovalStore(dynamo.documentClient, TABLE_NAME),
        pipelines: new PipelineStore(dynamo.documentClient, TABLE_NAME),
      },
      { tenantId, userId: 'u' },
      stack.stackId,
      'dev',
      {
        port: 8080,
      },
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      status: 409,
      details: { operationId: created.operationId },
    });
  });

  test('an execution that ended abnormally fails its operation, unlocks the stage and says so', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    const workflows = workflowsThat(async (_w, name) => ({ executionArn: name, alreadyStarted: false }));
    const operation = await createStage(
      { store, workflows, settings },
      { tenantId, userId: 'u' },
      stack.stackId,
      {
        name: 'dev',
      },
    );
    const published: PlatformEvent[] = [];
    const bus = { publish: async (events: PlatformEvent[]) => void published.push(...events) };
    const input = {
      tenantId,
      operationId: operation.operationId,
      stackId: stack.stackId,
      stageName: 'dev',
      deploymentId: deploymentIdOf(operation.operationId),
    };

    // Act
    await onExecutionEnded(
      {
        detail: {
          executionArn: 'x',
          status: 'TIMED_OUT',
          input: JSON.stringify(input),
          error: null,
          cause: null,
        },
      },
      { store, bus },
    );
    await onExecutionEnded(
      {
        detail: {
          executionArn: 'x',
          status: 'TIMED_OUT',
          input: JSON.stringify(input),
          error: null,
          cause: null,
        },
      },
      { store, bus },
    );

    // Assess
    expect(await store.getOperation(tenantId, operation.operationId)).toMatchObject({
      status: 'FAILED',
      error: 'the workflow ended TIMED_OUT: no cause given',
    });
    expect(await store.getStage(tenantId, stack.stackId, 'dev')).toMatchObject({ status: 'FAILED' });
    expect((await store.getStage(tenantId, stack.stackId, 'dev'))?.lock).toBeUndefined();
    expect(published.map((e) => `${e.detailType}:${e.detail.status}`)).toEqual([
      'Operation Status Change:FAILED',
      'Stage Status Change:FAILED',
      'Deployment Status Change:FAILED',
    ]);
    expect(await store.deployments.find(tenantId, stack.stackId, input.deploymentId)).toMatchObject({
      status: 'FAILED',
      reason: 'the workflow ended TIMED_OUT: no cause given',
    });
  });
});
