import { databaseStackName, type Engine } from '../../src/domain/database';
import { bastionStackName } from '../../src/domain/bastion';
import { newId } from '../../src/domain/ids';
import type { OperationType } from '../../src/domain/operation';
import { pipelineCfnStackNameOf } from '../../src/domain/pipeline';
import { cfnStackNameOf, type Stage, type StageSettings } from '../../src/domain/stage';
import type { BusEvent } from '../../src/local/bus';
import { INTERRUPTED, recoverAfterRestart } from '../../src/local/recovery';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { LocalStackPort } from '../../src/local/stacks';
import { renderBastion } from '../../src/tasks/bastion-steps';
import { renderDatabase } from '../../src/tasks/database-steps';
import { clientRequestToken } from '../../src/tasks/stack-calls';
import { renderStage } from '../../src/tasks/stage-steps';
import { client, type Client } from '../support/client';
import {
  deliver,
  eventually,
  pushPayload,
  runStatus,
  stackWithStages,
  type RunBody,
} from '../support/pipeline';

/**
 * What a restart finds half-done, set from the real state of the stacks (src/local/recovery.ts).
 * Each test leaves things as a workflow that died at some step would have (the operation recorded,
 * the stage locked, the record written, CloudFormation called or not), then runs the recovery.
 */
describe('recovery after a restart', () => {
  let runtime: Runtime;
  let api: Client;
  const events: BusEvent[] = [];
  const TENANT = 'acme';

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 10, buildDelayMs: 30 });
    api = client(runtime.url, runtime.tokenFor(TENANT));
    runtime.bus.subscribe((event) => {
      if (event.source === 'tinystacks') events.push(event);
    });
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });
  afterEach(() => runtime.cloudFormation.clearFailures());

  const stacks = () => new LocalStackPort(runtime.cloudFormation);
  const target = { roleArn: 'arn:aws:iam::000000000000:role/x', region: 'us-east-1', externalId: 'x' };
  const stageOf = (stackId: string, name = 'dev') => runtime.store.requireStage(TENANT, stackId, name);
  const operationOf = (operationId: string) => runtime.store.getOperation(TENANT, operationId);
  const endedEvents = (operationId: string) =>
    events
      .filter((e) => e['detail-type'] === 'Operation Status Change' && e.detail.operationId === operationId)
      .map((e) => e.detail.status);

  /** An operation as its API route records it: the operation, then the stage's lock. */
  async function begin(stage: Stage, type: OperationType, settings?: StageSettings) {
    const operationId = newId('op');
    const now = new Date().toISOString();
    await runtime.store.putOperation({
      tenantId: TENANT,
      operationId,
      type,
      status: 'RUNNING',
      stackId: stage.stackId,
      stageName: stage.name,
      input: {},
      createdAt: now,
      updatedAt: now,
    });
    await runtime.store.lockStage(
      stage,
      operationId,
      type === 'DELETE_STAGE' ? 'DELETING' : 'UPDATING',
      settings,
    );
    return operationId;
  }

  /** CreateStack or UpdateStack as the workflow's task makes it, with the operation's request token. */
  const callCloudFormation = (
    call: 'create' | 'update',
    stackName: string,
    rendered: { templateBody: string; tags: Record<string, string> },
    operationId: string,
  ) => {
    const input = {
      StackName: stackName,
      TemplateBody: rendered.templateBody,
      Tags: Object.entries(rendered.tags).map(([Key, Value]) => ({ Key, Value })),
      Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
      ClientRequestToken: clientRequestToken(operationId, call),
    };
    return call === 'create'
      ? runtime.cloudFormation.createStack(input, target.region)
      : runtime.cloudFormation.updateStack(input, target.region);
  };

  const ref = (stage: Stage, operationId: string) => ({
    tenantId: TENANT,
    stackId: stage.stackId,
    stageName: stage.name,
    operationId,
  });

  async function activeStage() {
    const { stackId } = await stackWithStages(api, [{ name: 'dev' }], {});
    return stageOf(stackId);
  }

  /** The record the add-database route writes, under the stage's lock. */
  async function addingPostgres(stage: Stage, operationId: string) {
    const now = new Date().toISOString();
    await runtime.databases.putDatabase({
      tenantId: TENANT,
      stackId: stage.stackId,
      stageName: 'dev',
      engine: 'postgres',
      mode: 'managed',
      status: 'CREATING',
      instanceClass: 'db.t4g.micro',
      storageGb: 20,
      passwordVersion: 1,
      cfnStackName: databaseStackName(stage.cfnStackName, 'postgres'),
      port: 5432,
      databaseName: 'app',
      lastOperationId: operationId,
      createdAt: now,
      updatedAt: now,
    });
  }

  async function addDatabase(stage: Stage, engine: Engine) {
    const reply = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}/stages/dev/databases`,
      { engine },
    );
    return api.operationEnd(reply.body.operation.operationId);
  }

  test('an update CloudFormation finished meanwhile SUCCEEDS: the stage has the settings it deployed', async () => {
    // Prepare: the workflow called UpdateStack, then the process died
    const stage = await activeStage();
    const operationId = await begin(stage, 'UPDATE_STAGE', { ...stage, port: 8080 });
    const rendered = await renderStage(ref(stage, operationId), runtime);
    await callCloudFormation('update', stage.cfnStackName, rendered, operationId);

    // Act
    const recovered = await recoverAfterRestart(runtime);

    // Assess
    expect(recovered.operations).toBe(1);
    expect(await operationOf(operationId)).toMatchObject({ status: 'SUCCEEDED' });
    const after = await stageOf(stage.stackId);
    expect(after).toMatchObject({ status: 'ACTIVE', port: 8080 });
    expect([after.lock, after.pendingChange, after.failedChange]).toEqual([undefined, undefined, undefined]);
    expect(endedEvents(operationId)).toEqual(['SUCCEEDED']);
  });

  test('an update that never reached CloudFormation FAILS: the stage stays ACTIVE on what is deployed, the request apart', async () => {
    // Prepare
    const stage = await activeStage();
    const operationId = await begin(stage, 'UPDATE_STAGE', { ...stage, port: 8080 });

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    expect(await operationOf(operationId)).toMatchObject({ status: 'FAILED', error: INTERRUPTED });
    const after = await stageOf(stage.stackId);
    expect(after).toMatchObject({
      status: 'ACTIVE',
      port: 80,
      lastError: INTERRUPTED,
      failedChange: { port: 8080, operationId, reason: INTERRUPTED },
    });
    expect(after.lock).toBeUndefined();
    const retry = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}/stages/dev`,
      { port: 8080 },
    );
    expect((await api.operationEnd(retry.body.operation.operationId)).status).toBe('SUCCEEDED');
  });

  test('a stage creation CloudFormation finished meanwhile SUCCEEDS: the stage is ACTIVE with its outputs', async () => {
    // Prepare: the create-stage workflow called CreateStack, then the process died
    const { stackId } = await stackWithStages(api, [], {});
    const operationId = newId('op');
    const now = new Date().toISOString();
    const stage: Stage = {
      tenantId: TENANT,
      stackId,
      name: 'dev',
      region: 'us-east-1',
      status: 'CREATING',
      cfnStackName: cfnStackNameOf(stackId, 'dev'),
      imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
      outputs: {},
      serviceEnvironmentNames: [],
      requireApproval: false,
      loadBalancer: false,
      port: 80,
      environment: {},
      origins: ['http://localhost'],
      lock: { operationId, acquiredAt: now },
      lastOperationId: operationId,
      createdAt: now,
      updatedAt: now,
    };
    await runtime.store.adjustStageCount(TENANT, stackId, 1);
    await runtime.store.createStage(stage);
    await runtime.store.putOperation({
      tenantId: TENANT,
      operationId,
      type: 'CREATE_STAGE',
      status: 'RUNNING',
      stackId,
      stageName: 'dev',
      input: { name: 'dev' },
      createdAt: now,
      updatedAt: now,
    });
    const rendered = await renderStage(ref(stage, operationId), runtime);
    await callCloudFormation('create', stage.cfnStackName, rendered, operationId);

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    expect(await operationOf(operationId)).toMatchObject({ status: 'SUCCEEDED' });
    const after = await stageOf(stackId);
    expect(after).toMatchObject({
      status: 'ACTIVE',
      serviceEnvironmentNames: rendered.serviceEnvironmentNames,
    });
    expect(after.outputs.StageUrl).toMatch(/^https:\/\//);
    expect(events.filter((e) => e.detail.operationId === operationId).map((e) => e['detail-type'])).toEqual([
      'Operation Status Change',
      'Stage Status Change',
    ]);
  });

  test('a database created meanwhile is AVAILABLE with its secret; the stage, not rebuilt, takes it on a PATCH', async () => {
    // Prepare: the add-database workflow created the database's stack, then died
    const stage = await activeStage();
    const operationId = await begin(stage, 'ADD_DATABASE');
    await addingPostgres(stage, operationId);
    const rendered = await renderDatabase({ ...ref(stage, operationId), engine: 'postgres' }, runtime);
    await callCloudFormation(
      'create',
      databaseStackName(stage.cfnStackName, 'postgres'),
      rendered,
      operationId,
    );

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    const db = await runtime.databases.requireDatabase({ ...ref(stage, operationId) }, 'postgres');
    expect(db).toMatchObject({
      status: 'AVAILABLE',
      host: expect.any(String),
      secretArn: expect.any(String),
    });
    expect(await operationOf(operationId)).toMatchObject({ status: 'FAILED', error: INTERRUPTED });
    expect((await stageOf(stage.stackId)).status).toBe('ACTIVE');
    const secret = await api.get<{ password: string }>(
      `/v1/stacks/${stage.stackId}/stages/dev/databases/postgres/secret`,
    );
    expect(secret.status).toBe(200);
    const patch = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}/stages/dev`,
      { environment: { AFTER: 'recovery' } },
    );
    expect((await api.operationEnd(patch.body.operation.operationId)).status).toBe('SUCCEEDED');
    expect((await stageOf(stage.stackId)).serviceEnvironmentNames).toContain('PG_HOST');
  });

  test('a database never created is forgotten; one left DELETING with its stack still there is FAILED, then deletable', async () => {
    // Prepare: MySQL exists; Postgres was being added (no stack yet)
    const stage = await activeStage();
    expect((await addDatabase(stage, 'mysql')).status).toBe('SUCCEEDED');
    const adding = await begin(await stageOf(stage.stackId), 'ADD_DATABASE');
    await addingPostgres(stage, adding);

    // Act 1
    await recoverAfterRestart(runtime);

    // Assess 1
    const key = { tenantId: TENANT, stackId: stage.stackId, stageName: 'dev' };
    expect(await runtime.databases.getDatabase(key, 'postgres')).toBeUndefined();
    expect(await operationOf(adding)).toMatchObject({ status: 'FAILED' });

    // Prepare 2: MySQL was being deleted; the workflow died before deleting its stack
    const deleting = await begin(await stageOf(stage.stackId), 'DELETE_DATABASE');
    await runtime.databases.updateDatabase(key, 'mysql', { status: 'DELETING', lastOperationId: deleting });

    // Act 2
    await recoverAfterRestart(runtime);

    // Assess 2: no way out is closed
    expect(await runtime.databases.getDatabase(key, 'mysql')).toMatchObject({
      status: 'FAILED',
      lastError: INTERRUPTED,
    });
    expect((await stageOf(stage.stackId)).lock).toBeUndefined();
    const deletion = await api.delete<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}/stages/dev/databases/mysql`,
    );
    expect((await api.operationEnd(deletion.body.operation.operationId)).status).toBe('SUCCEEDED');
    expect(await runtime.databases.getDatabase(key, 'mysql')).toBeUndefined();
  });

  test('a bastion whose stack failed to create meanwhile is forgotten and its stack deleted: it can be asked for again', async () => {
    // Prepare
    const stage = await activeStage();
    const operationId = await begin(stage, 'PROVISION_BASTION');
    const now = new Date().toISOString();
    const cfnStackName = bastionStackName(stage.cfnStackName);
    await runtime.databases.putBastion({
      tenantId: TENANT,
      stackId: stage.stackId,
      stageName: 'dev',
      status: 'CREATING',
      allowedCidrs: ['203.0.113.0/24'],
      cfnStackName,
      lastOperationId: operationId,
      createdAt: now,
      updatedAt: now,
    });
    runtime.cloudFormation.failWhen({ stackName: cfnStackName, reason: 'quota reached', once: true });
    const rendered = await renderBastion(ref(stage, operationId), runtime);
    await callCloudFormation('create', cfnStackName, rendered, operationId);

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    const key = { tenantId: TENANT, stackId: stage.stackId, stageName: 'dev' };
    expect(await runtime.databases.getBastion(key)).toBeUndefined();
    expect(await stacks().describe(target, cfnStackName)).toBeUndefined();
    expect(await operationOf(operationId)).toMatchObject({ status: 'FAILED' });
    const again = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}/stages/dev/bastion`,
      { allowedCidrs: ['203.0.113.0/24'] },
    );
    expect((await api.operationEnd(again.body.operation.operationId)).status).toBe('SUCCEEDED');
  });

  test('a stage deletion whose stack is gone is finished: the stage is removed', async () => {
    // Prepare
    const stage = await activeStage();
    const operationId = await begin(stage, 'DELETE_STAGE');
    await stacks().delete(target, stage.cfnStackName, clientRequestToken(operationId, 'delete'));

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    expect(await operationOf(operationId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await runtime.store.getStage(TENANT, stage.stackId, 'dev')).toBeUndefined();
    const stackDeletion = await api.delete<{ operation: { operationId: string } }>(
      `/v1/stacks/${stage.stackId}`,
    );
    expect(stackDeletion.status).toBe(202);
    expect((await api.operationEnd(stackDeletion.body.operation.operationId)).status).toBe('SUCCEEDED');
  });

  /** A stack deletion as the API records it: the operation, then the stack taken. */
  async function deletingStack() {
    const { stackId } = await stackWithStages(api, [], {});
    const operationId = newId('op');
    const now = new Date().toISOString();
    await runtime.store.putOperation({
      tenantId: TENANT,
      operationId,
      type: 'DELETE_STACK',
      status: 'RUNNING',
      stackId,
      input: {},
      createdAt: now,
      updatedAt: now,
    });
    expect(await runtime.store.lockStackForDeletion(TENANT, stackId, operationId)).toBeUndefined();
    return { stackId, operationId };
  }

  test('a stack deletion whose pipeline stack is gone is finished: the stack removed, the operation SUCCEEDED', async () => {
    // Prepare
    const { stackId, operationId } = await deletingStack();
    await stacks().delete(target, pipelineCfnStackNameOf(stackId), clientRequestToken(operationId, 'delete'));
    await runtime.cloudFormation.whenIdle();

    // Act
    await recoverAfterRestart(runtime);

    // Assess
    expect(await operationOf(operationId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await runtime.store.getStack(TENANT, stackId)).toBeUndefined();
    expect(endedEvents(operationId)).toEqual(['SUCCEEDED']);
  });

  test('a stack deletion whose pipeline stack ended DELETE_FAILED is FAILED with the reason; deleting again works', async () => {
    // Prepare
    const { stackId, operationId } = await deletingStack();
    runtime.cloudFormation.failWhen({
      stackName: pipelineCfnStackNameOf(stackId),
      logicalId: 'Pipeline',
      operation: 'delete',
      reason: 'simulated refusal',
      once: true,
    });
    await stacks().delete(target, pipelineCfnStackNameOf(stackId), clientRequestToken(operationId, 'delete'));
    await runtime.cloudFormation.whenIdle();

    // Act
    await recoverAfterRestart(runtime);
    const again = await api.delete<{ operation: { operationId: string } }>(`/v1/stacks/${stackId}`);

    // Assess
    expect(await operationOf(operationId)).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(
        new RegExp(`^${INTERRUPTED}: Pipeline .*simulated refusal; delete the stack again$`),
      ),
    });
    expect(endedEvents(operationId)).toEqual(['FAILED']);
    expect(again.status).toBe(202);
    expect((await api.operationEnd(again.body.operation.operationId)).status).toBe('SUCCEEDED');
  });

  test('a run waiting for approval ends FAILED: every stage at a final status, the approval closed', async () => {
    // Prepare
    const stack = await stackWithStages(
      api,
      [{ name: 'dev' }, { name: 'staging', requireApproval: true }, { name: 'prod' }],
      {},
    );
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const waiting = await runStatus(api, String(pushed.body.runId), ['WAITING_FOR_APPROVAL']);
    const approvalId = waiting.stages[1]!.approvalId!;
    const token = await eventually(
      async () => (await runtime.pipelines.deps.approvals.getApproval(TENANT, approvalId))?.taskToken,
      'the approval wait',
    );

    // Act
    const recovered = await recoverAfterRestart(runtime);
    await runtime.workflows.sendTaskFailure(token, 'ApprovalExpired', 'the test ends the old workflow');

    // Assess
    expect(recovered.runs).toBe(1);
    const run = (await api.get<RunBody>(`/v1/runs/${waiting.runId}`)).body;
    expect([run.status, run.stages.map((s) => s.status)]).toEqual([
      'FAILED',
      ['SUCCEEDED', 'FAILED', 'SKIPPED'],
    ]);
    expect((await api.get<{ status: string }>(`/v1/approvals/${approvalId}`)).body.status).toBe('EXPIRED');
  });

  test('a pipeline CREATING whose stack was created meanwhile is ACTIVE; one that failed can be retried', async () => {
    // Prepare 1: the create-pipeline workflow died after CloudFormation had created the stack
    const { stackId } = await stackWithStages(api, [], {});
    const stack = await runtime.store.requireStack(TENANT, stackId);
    await runtime.pipelines.deps.pipelines.setStackPipeline(TENANT, stackId, {
      ...stack.pipeline!,
      status: 'CREATING',
    });

    // Act 1
    await recoverAfterRestart(runtime);

    // Assess 1
    expect((await runtime.store.requireStack(TENANT, stackId)).pipeline).toMatchObject({ status: 'ACTIVE' });
    expect((await api.post(`/v1/stacks/${stackId}/pipeline/retry`)).status).toBe(409);

    // Prepare 2: a stack whose pipeline fails to create (the failed CloudFormation stack is deleted)
    runtime.cloudFormation.failWhen({ stackName: 'tinystacks-*-pipeline*', reason: 'ECR quota', once: true });
    const failing = await api.post<{ stackId: string }>('/v1/stacks', {
      name: 'shop',
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
    });
    const failed = await eventually(async () => {
      const body = (
        await api.get<{ pipeline: { status: string; error: string } }>(`/v1/stacks/${failing.body.stackId}`)
      ).body;
      return body.pipeline.status === 'FAILED' ? body.pipeline : undefined;
    }, 'the pipeline to fail');
    await runtime.workflows.idle();

    // Act 2
    const retried = await api.post<{ pipeline: { status: string } }>(
      `/v1/stacks/${failing.body.stackId}/pipeline/retry`,
    );

    // Assess 2
    expect(failed.error).toMatch(/ECR quota/);
    expect(await stacks().describe(target, pipelineCfnStackNameOf(failing.body.stackId))).toBeUndefined();
    expect([retried.status, retried.body.pipeline.status]).toEqual([202, 'CREATING']);
    await eventually(
      async () =>
        (await api.get<{ pipeline: { status: string } }>(`/v1/stacks/${failing.body.stackId}`)).body.pipeline
          .status === 'ACTIVE' || undefined,
      'the retried pipeline to be ACTIVE',
    );
  });
});
