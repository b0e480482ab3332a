import { cfnStackNameOf } from '../../src/domain/stage';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, newStack, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import { deliver, pushPayload, runStatus, stackWithStages } from '../support/pipeline';

/**
 * Deployment history and rollback on the local engine: the real ASL, task functions and store, the
 * simulated CloudFormation and CodePipeline.
 */
interface DeploymentBody {
  deploymentId: string;
  operationId: string;
  operationType: string;
  imageUri: string;
  commit: string | null;
  runId: string | null;
  rollbackOf: string | null;
  settings: { environmentNames: string[]; port?: number } & Record<string, unknown>;
  status: string;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
}
interface StageBody {
  imageUri: string;
  deploymentId: string | null;
  status: string;
  settings: { environment: Record<string, string>; port: number; requireApproval: boolean };
}
type Accepted = { operation: { operationId: string; type: string } };

describe('deployment history and rollback on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 10, buildDelayMs: 30 });
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

  const history = async (stackId: string, stage = 'dev', query = '') =>
    (
      await api.get<{ items: DeploymentBody[]; nextToken: string | null }>(
        `/v1/stacks/${stackId}/stages/${stage}/deployments${query}`,
      )
    ).body;
  const stageOf = async (stackId: string, stage = 'dev') =>
    (await api.get<StageBody>(`/v1/stacks/${stackId}/stages/${stage}`)).body;
  const done = async (reply: { status: number; body: Accepted }) => {
    expect(reply.status).toBe(202);
    return api.operationEnd(reply.body.operation.operationId);
  };
  const patch = (stackId: string, body: Record<string, unknown>, stage = 'dev') =>
    api.patch<Accepted>(`/v1/stacks/${stackId}/stages/${stage}`, body);
  const rollback = (stackId: string, deploymentId: string, stage = 'dev', headers?: Record<string, string>) =>
    api.post<Accepted>(`/v1/stacks/${stackId}/stages/${stage}/rollback`, { deploymentId }, headers);

  async function stackWithStage(stage: Record<string, unknown> = { name: 'dev' }) {
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await api.post<Accepted>(`/v1/stacks/${stack.body.stackId}/stages`, stage);
    expect((await done(created)).status).toBe('SUCCEEDED');
    return stack.body.stackId;
  }

  test('every create and update of the stage is a deployment, newest first; an update CloudFormation undid is ROLLED_BACK with the reason', async () => {
    // Prepare
    const stackId = await stackWithStage({ name: 'dev', environment: { API_KEY: 'first-value' } });
    const changed = await done(await patch(stackId, { environment: { API_KEY: 'second', MODE: 'x' } }));
    runtime.cloudFormation.failWhen({
      stackName: cfnStackNameOf(stackId, 'dev'),
      logicalId: 'Service',
      reason: 'ECS deployment circuit breaker: tasks failed to start',
      operation: 'update',
      once: true,
    });

    // Act
    const failed = await done(await patch(stackId, { port: 8080 }));
    const deployments = (await history(stackId)).items;
    const stage = await stageOf(stackId);

    // Assess
    expect(changed.status).toBe('SUCCEEDED');
    expect(failed.status).toBe('FAILED');
    expect(deployments.map((d) => [d.operationType, d.status])).toEqual([
      ['UPDATE_STAGE', 'ROLLED_BACK'],
      ['UPDATE_STAGE', 'SUCCEEDED'],
      ['CREATE_STAGE', 'SUCCEEDED'],
    ]);
    const [rolledBack, second, first] = deployments as [DeploymentBody, DeploymentBody, DeploymentBody];
    expect(rolledBack).toMatchObject({
      operationId: failed.operationId,
      reason: 'Service (AWS::ECS::Service): ECS deployment circuit breaker: tasks failed to start',
      settings: { port: 8080, environmentNames: ['API_KEY', 'MODE'] },
      endedAt: expect.any(String),
    });
    expect(second).toMatchObject({
      operationId: changed.operationId,
      settings: { port: 80, environmentNames: ['API_KEY', 'MODE'] },
      reason: null,
      rollbackOf: null,
      runId: null,
    });
    expect(first.settings.environmentNames).toEqual(['API_KEY']);
    expect(first.imageUri).toBe(stage.imageUri);
    expect(JSON.stringify(deployments)).not.toContain('first-value');
    // the stage runs the deployment before the one that rolled back, still ACTIVE
    expect(stage).toMatchObject({ status: 'ACTIVE', deploymentId: second.deploymentId });
    const mine = events.filter(
      (e) => e['detail-type'] === 'Deployment Status Change' && e.detail.operationId === failed.operationId,
    );
    expect(mine.map((e) => [e.detail.status, e.detail.reason])).toEqual([
      ['IN_PROGRESS', undefined],
      ['ROLLED_BACK', rolledBack.reason],
    ]);
    for (const event of mine) expect(validateEvent(event)).toEqual([]);
  });

  test('a create that fails is a FAILED deployment; a page at a time with nextToken', async () => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const { stackId } = stack.body;
    runtime.cloudFormation.failWhen({ stackName: cfnStackNameOf(stackId, 'dev'), once: true });
    const created = await done(await api.post<Accepted>(`/v1/stacks/${stackId}/stages`, { name: 'dev' }));
    const retried = await done(await patch(stackId, { port: 8080 }));

    // Act
    const firstPage = await history(stackId, 'dev', '?limit=1');
    const secondPage = await history(stackId, 'dev', `?limit=1&nextToken=${firstPage.nextToken}`);
    const foreign = await api.get(
      `/v1/stacks/${stackId}/stages/dev/deployments?nextToken=${Buffer.from('{"pk":"x"}').toString('base64url')}`,
    );

    // Assess
    expect(created.status).toBe('FAILED');
    expect(retried.status).toBe('SUCCEEDED');
    expect(firstPage.items.map((d) => [d.operationId, d.status])).toEqual([
      [retried.operationId, 'SUCCEEDED'],
    ]);
    expect(secondPage.items.map((d) => [d.operationId, d.status])).toEqual([[created.operationId, 'FAILED']]);
    expect(secondPage.items[0]!.reason).toMatch(/Simulated failure/);
    expect(foreign.status).toBe(400);
  });

  test('a rollback redeploys a deployment’s settings as a new deployment naming it; the gates stay as they are', async () => {
    // Prepare
    const stackId = await stackWithStage({ name: 'dev', environment: { GREETING: 'hello' } });
    const [original] = (await history(stackId)).items as [DeploymentBody];
    await done(await patch(stackId, { environment: { GREETING: 'bonjour', EXTRA: '1' }, port: 8080 }));
    await done(await patch(stackId, { requireApproval: true }));

    // Act
    const started = await rollback(stackId, original.deploymentId);
    const ended = await done(started);
    const stage = await stageOf(stackId);
    const [latest] = (await history(stackId)).items as [DeploymentBody];

    // Assess
    expect(started.body.operation.type).toBe('ROLLBACK_STAGE');
    expect(ended.status).toBe('SUCCEEDED');
    expect(runtime.workflows.execution(ended.operationId as string)?.stateTransitions).toBe(12);
    expect(latest).toMatchObject({
      operationId: ended.operationId,
      operationType: 'ROLLBACK_STAGE',
      rollbackOf: original.deploymentId,
      status: 'SUCCEEDED',
      imageUri: original.imageUri,
      settings: { port: 80, environmentNames: ['GREETING'] },
    });
    expect(stage).toMatchObject({
      deploymentId: latest.deploymentId,
      imageUri: original.imageUri,
      settings: { environment: { GREETING: 'hello' }, port: 80, requireApproval: true },
    });
  });

  test('refused: an unknown deployment (404), another stage’s or one that never succeeded (400), a busy stage (409)', async () => {
    // Prepare
    const stackId = await stackWithStage({ name: 'dev' });
    expect(
      (await done(await api.post<Accepted>(`/v1/stacks/${stackId}/stages`, { name: 'prod' }))).status,
    ).toBe('SUCCEEDED');
    runtime.cloudFormation.failWhen({
      stackName: cfnStackNameOf(stackId, 'dev'),
      operation: 'update',
      once: true,
    });
    await done(await patch(stackId, { port: 8080 }));
    const [rolledBack, created] = (await history(stackId)).items as [DeploymentBody, DeploymentBody];
    const [prodDeployment] = (await history(stackId, 'prod')).items as [DeploymentBody];
    runtime.cloudFormation.setDelay(500); // the PATCH holds the stage while the rollback asks
    const busy = await patch(stackId, { port: 9090 });

    // Act
    const whileBusy = await rollback(stackId, created.deploymentId);
    runtime.cloudFormation.setDelay(10);
    await api.operationEnd(busy.body.operation.operationId);
    const unknown = await rollback(stackId, `dep_${'0'.repeat(26)}`);
    const malformed = await rollback(stackId, 'op_123');
    const ofProd = await rollback(stackId, prodDeployment.deploymentId);
    const neverSucceeded = await rollback(stackId, rolledBack.deploymentId);

    // Assess
    expect(rolledBack.status).toBe('ROLLED_BACK');
    expect(unknown.status).toBe(404);
    expect(malformed).toMatchObject({ status: 400, body: { error: { field: 'deploymentId' } } });
    expect(ofProd).toMatchObject({ status: 400, body: { error: { field: 'deploymentId' } } });
    expect((ofProd.body as unknown as { error: { message: string } }).error.message).toContain('stage prod');
    expect(neverSucceeded).toMatchObject({ status: 400, body: { error: { field: 'deploymentId' } } });
    expect(whileBusy).toMatchObject({
      status: 409,
      body: { error: { operationId: busy.body.operation.operationId } },
    });
    // the refused ones recorded nothing: the create, the rolled back PATCH, the busy one
    expect((await history(stackId)).items).toHaveLength(3);
  });

  test('an Idempotency-Key replays the rollback’s answer; a stage created again under the same name starts afresh', async () => {
    // Prepare
    const stackId = await stackWithStage({ name: 'dev' });
    const [first] = (await history(stackId)).items as [DeploymentBody];
    await done(await patch(stackId, { port: 8080 }));
    const key = { 'idempotency-key': 'rollback-once' };

    // Act
    const once = await rollback(stackId, first.deploymentId, 'dev', key);
    const again = await rollback(stackId, first.deploymentId, 'dev', key);
    await done(once);
    await done(await api.delete<Accepted>(`/v1/stacks/${stackId}/stages/dev`));
    await done(await api.post<Accepted>(`/v1/stacks/${stackId}/stages`, { name: 'dev' }));
    const afresh = (await history(stackId)).items;
    const old = await rollback(stackId, first.deploymentId);
    const oldOne = await api.get(`/v1/stacks/${stackId}/stages/dev/deployments/${first.deploymentId}`);

    // Assess
    expect(again.body.operation.operationId).toBe(once.body.operation.operationId);
    expect(afresh.map((d) => d.operationType)).toEqual(['CREATE_STAGE']);
    expect(old).toMatchObject({ status: 400, body: { error: { field: 'deploymentId' } } });
    expect(oldOne.status).toBe(404);
  });

  test('pipeline runs are deployments with their run, commit and image; a rollback restores the first run’s image without a build, and a PATCH keeps it', async () => {
    // Prepare: two pushes deployed to prod
    const stack = await stackWithStages(api, [{ name: 'prod' }]);
    const runs = [];
    for (const message of ['First', 'Second']) {
      const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload({ message }));
      runs.push(await runStatus(api, String(pushed.body.runId), ['SUCCEEDED', 'FAILED']));
    }
    const [firstRun, secondRun] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const before = (await history(stack.stackId, 'prod')).items;
    const firstDeploy = before.find((d) => d.runId === firstRun.runId)!;

    // Act: a rollback to the first, then a settings change
    const rolledBack = await done(await rollback(stack.stackId, firstDeploy.deploymentId, 'prod'));
    const afterRollback = await stageOf(stack.stackId, 'prod');
    const patched = await done(await patch(stack.stackId, { environment: { LATER: '1' } }, 'prod'));
    const afterPatch = await stageOf(stack.stackId, 'prod');
    const after = (await history(stack.stackId, 'prod')).items;
    const runList = await api.get<{ items: unknown[] }>(`/v1/stacks/${stack.stackId}/runs`);

    // Assess
    expect([firstRun.status, secondRun.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(before.map((d) => [d.operationType, d.runId, d.imageUri, d.commit])).toEqual([
      ['UPDATE_STAGE', secondRun.runId, secondRun.imageUri, secondRun.commit.sha],
      ['UPDATE_STAGE', firstRun.runId, firstRun.imageUri, firstRun.commit.sha],
      ['CREATE_STAGE', null, expect.any(String), null],
    ]);
    expect(rolledBack.status).toBe('SUCCEEDED');
    expect(afterRollback.imageUri).toBe(firstRun.imageUri);
    expect(patched.status).toBe('SUCCEEDED');
    expect(afterPatch.imageUri).toBe(firstRun.imageUri);
    expect(after.slice(0, 2).map((d) => [d.operationType, d.imageUri, d.commit, d.rollbackOf])).toEqual([
      ['UPDATE_STAGE', firstRun.imageUri, firstRun.commit.sha, null],
      ['ROLLBACK_STAGE', firstRun.imageUri, firstRun.commit.sha, firstDeploy.deploymentId],
    ]);
    expect(runList.body.items).toHaveLength(2); // no build

    // Act: the next run deploys its own image
    const third = await deliver(
      runtime.url,
      stack.stackId,
      stack.webhookSecret,
      pushPayload({ message: 'Third' }),
    );
    const thirdRun = await runStatus(api, String(third.body.runId), ['SUCCEEDED', 'FAILED']);

    // Assess
    expect(thirdRun.status).toBe('SUCCEEDED');
    expect((await stageOf(stack.stackId, 'prod')).imageUri).toBe(thirdRun.imageUri);
  });
});
