import { newId } from '../../src/domain/ids';
import { settingsFor } from '../../src/domain/stage';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { renderStage } from '../../src/tasks/stage-steps';
import { client, newStack, type Client } from '../support/client';

/**
 * Stage sizing (scaling, healthCheckPath) and rollback alarms on the embedded runtime: the API's
 * checks, what GET shows, and a deployment that an alarm in ALARM fails and rolls back, as ECS and
 * CloudFormation would, through the real workflows and the simulated CloudFormation.
 */
describe('stage sizing and rollback alarms on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 20 });
    api = client(runtime.url, runtime.tokenFor('acme'));
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });

  const ISSUE_SCALING = { cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6 };

  async function stageWith(settings: Record<string, unknown>) {
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const stackId = stack.body.stackId;
    const created = await api.post<{ operation: { operationId: string } }>(`/v1/stacks/${stackId}/stages`, {
      name: 'dev',
      ...settings,
    });
    expect(created.status).toBe(202);
    expect((await api.operationEnd(created.body.operation.operationId)).status).toBe('SUCCEEDED');
    return { stackId, path: `/v1/stacks/${stackId}/stages/dev` };
  }

  async function patched(path: string, body: Record<string, unknown>) {
    const reply = await api.patch<{ operation: { operationId: string } }>(path, body);
    expect(reply.status).toBe(202);
    return api.operationEnd(reply.body.operation.operationId);
  }

  test('a stage scaled to 1024/2048 with 2–6 tasks, a health check path and alarms: GET shows them resolved', async () => {
    // Act
    const { path } = await stageWith({
      loadBalancer: true,
      scaling: ISSUE_SCALING,
      healthCheckPath: '/healthz',
      rollbackAlarms: { http5xxPercent: 5 },
    });
    const stage = await api.get<{ status: string; settings: Record<string, unknown> }>(path);

    // Assess
    expect(stage.body.status).toBe('ACTIVE');
    expect(stage.body.settings).toMatchObject({
      scaling: { ...ISSUE_SCALING, targetCpuPercent: 60 },
      healthCheckPath: '/healthz',
      rollbackAlarms: { http5xxPercent: 5 },
    });
  });

  test("a stage given none has today's: one task of 256/512, health check on /, no alarms", async () => {
    // Act
    const { path } = await stageWith({});
    const stage = await api.get<{ settings: Record<string, unknown> }>(path);

    // Assess
    expect(stage.body.settings).toMatchObject({
      scaling: { cpu: 256, memory: 512, desiredCount: 1, minCount: 1, maxCount: 1, targetCpuPercent: null },
      healthCheckPath: '/',
      rollbackAlarms: null,
    });
  });

  test.each([
    [
      'a pair Fargate does not run',
      { scaling: { cpu: 1024, memory: 512, desiredCount: 1 } },
      'scaling.memory',
    ],
    ['a CPU Fargate does not have', { scaling: { cpu: 300, memory: 512, desiredCount: 1 } }, 'scaling.cpu'],
    [
      'more than 100 tasks',
      { scaling: { cpu: 256, memory: 512, desiredCount: 101 } },
      'scaling.desiredCount',
    ],
    [
      'minCount above desiredCount',
      { scaling: { cpu: 256, memory: 512, desiredCount: 1, minCount: 2 } },
      'scaling.minCount',
    ],
    [
      'maxCount below desiredCount',
      { scaling: { cpu: 256, memory: 512, desiredCount: 3, maxCount: 2 } },
      'scaling.maxCount',
    ],
    [
      'a CPU target without autoscaling',
      { scaling: { cpu: 256, memory: 512, desiredCount: 1, targetCpuPercent: 50 } },
      'scaling.targetCpuPercent',
    ],
    ['a health check path ELB refuses', { healthCheckPath: '/health check' }, 'healthCheckPath'],
    ['a health check path not starting with /', { healthCheckPath: 'healthz' }, 'healthCheckPath'],
    ['rollback alarms without a load balancer', { rollbackAlarms: { unhealthyHosts: 1 } }, 'rollbackAlarms'],
    ['rollback alarms naming none', { loadBalancer: true, rollbackAlarms: {} }, 'rollbackAlarms'],
  ])('%s is a 400 naming the field, and no stage is recorded', async (_, settings, field) => {
    // Prepare
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());

    // Act
    const reply = await api.post<{ error: { field: string; message: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev', ...settings },
    );

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe(field);
    expect(reply.body.error.message).toContain(field);
    expect((await api.get(`/v1/stacks/${stack.body.stackId}/stages/dev`)).status).toBe(404);
  });

  test('PATCH replaces each whole, null puts back the defaults, and dropping the load balancer under alarms is refused', async () => {
    // Prepare
    const { path } = await stageWith({ loadBalancer: true, rollbackAlarms: { unhealthyHosts: 1 } });

    // Act
    const refused = await api.patch<{ error: { field: string } }>(path, { loadBalancer: false });
    const scaled = await patched(path, { scaling: { cpu: 512, memory: 1024, desiredCount: 3 } });
    const afterScaling = await api.get<{ settings: Record<string, unknown> }>(path);
    const reset = await patched(path, { scaling: null, healthCheckPath: null, rollbackAlarms: null });
    const afterReset = await api.get<{ settings: Record<string, unknown> }>(path);

    // Assess
    expect([refused.status, refused.body.error.field]).toEqual([400, 'rollbackAlarms']);
    expect([scaled.status, reset.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(afterScaling.body.settings).toMatchObject({
      scaling: { cpu: 512, memory: 1024, desiredCount: 3, minCount: 3, maxCount: 3, targetCpuPercent: null },
      rollbackAlarms: { unhealthyHosts: 1 },
    });
    expect(afterReset.body.settings).toMatchObject({
      scaling: { cpu: 256, memory: 512, desiredCount: 1, minCount: 1, maxCount: 1 },
      healthCheckPath: '/',
      rollbackAlarms: null,
    });
  });

  test("a deploy keeps an autoscaled service's count unless it changes `scaling`; the first deploy sets it", async () => {
    // Prepare
    const { stackId } = await stageWith({ scaling: ISSUE_SCALING });
    const ref = { tenantId: 'acme', stackId, stageName: 'dev' };
    const desiredCountOf = async (operationId: string) => {
      const { templateBody } = await renderStage({ ...ref, operationId }, runtime);
      const service = (JSON.parse(templateBody) as { Resources: Record<string, { Properties: object }> })
        .Resources.Service!.Properties;
      return (service as { DesiredCount?: number }).DesiredCount;
    };
    const stage = await runtime.store.requireStage('acme', stackId, 'dev');
    const changing = newId('op');

    // Act
    const redeploy = await desiredCountOf(newId('op'));
    await runtime.store.lockStage(stage, changing, 'UPDATING', {
      ...settingsFor(stage, changing),
      scaling: { ...stage.scaling, desiredCount: 4 },
    });
    const rescale = await desiredCountOf(changing);
    await runtime.store.releaseStageLock(stage, changing, 'ACTIVE');

    // Assess
    expect(redeploy).toBeUndefined();
    expect(rescale).toBe(4);
  });

  describe('rollback alarms', () => {
    const other = () => client(runtime.url, runtime.tokenFor('globex'));

    test('/local/alarms needs a token, keeps to the caller’s tenant, and names what is wrong', async () => {
      // Prepare
      const { stackId } = await stageWith({ loadBalancer: true, rollbackAlarms: { http5xxPercent: 5 } });
      const request = { stackId, stage: 'dev', alarm: 'http5xxPercent', state: 'ALARM' };

      // Act
      const anonymous = await client(runtime.url).post('/local/alarms', request);
      const foreign = await other().post('/local/alarms', request);
      const badState = await api.post<{ error: { field: string } }>('/local/alarms', {
        ...request,
        state: 'ON',
      });
      const missing = await api.post('/local/alarms', { ...request, alarm: 'unhealthyHosts' });
      const listed = await api.get<{ items: { alarmName: string; state: string }[] }>(
        `/local/alarms?stackId=${stackId}&stage=dev`,
      );

      // Assess
      expect([anonymous.status, foreign.status, missing.status]).toEqual([401, 404, 404]);
      expect([badState.status, badState.body.error.field]).toEqual([400, 'state']);
      expect(listed.body.items).toEqual([
        {
          logicalId: 'Http5xxRollbackAlarm',
          alarmName: expect.stringMatching(/-dev-http-5xx$/),
          state: 'INSUFFICIENT_DATA',
        },
      ]);
    });

    test('a deploy while an alarm is in ALARM fails as ECS fails it, the stack rolls back, the stage keeps running what it ran', async () => {
      // Prepare
      const { stackId, path } = await stageWith({
        loadBalancer: true,
        rollbackAlarms: { http5xxPercent: 5, unhealthyHosts: 1 },
      });
      const cfnStackName = `tinystacks-${stackId.replace('_', '-')}-dev`;
      const set = await api.post<{ alarmName: string; state: string }>('/local/alarms', {
        stackName: cfnStackName,
        alarm: 'http5xxPercent',
        state: 'ALARM',
      });

      // Act
      const failed = await patched(path, { environment: { RELEASE: '2' } });
      const stage = await api.get<{
        status: string;
        settings: { environment: object };
        failedChange: object;
      }>(path);
      const events = await api.get<{ items: { logicalId: string; status: string; reason?: string }[] }>(
        `${path}/stack-events`,
      );

      // Assess
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ alarmName: expect.stringMatching(/-dev-http-5xx$/), state: 'ALARM' });
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toContain('ECS Deployment Circuit Breaker was triggered');
      expect(failed.error).toContain(`alarm detected: ${set.body.alarmName} in ALARM`);
      expect(stage.body.status).toBe('ACTIVE');
      expect(stage.body.settings.environment).toEqual({});
      expect(stage.body.failedChange).toMatchObject({ environment: { RELEASE: '2' } });
      const statuses = events.body.items.map((e) => `${e.logicalId}:${e.status}`);
      expect(statuses[0]).toBe(`${cfnStackName}:UPDATE_ROLLBACK_COMPLETE`);
      expect(statuses).toContain('Service:UPDATE_FAILED');
    });

    test('once the alarm is OK again, the same change deploys', async () => {
      // Prepare
      const { stackId, path } = await stageWith({
        loadBalancer: true,
        rollbackAlarms: { unhealthyHosts: 1 },
      });
      const alarm = { stackId, stage: 'dev', alarm: 'unhealthyHosts' };
      await api.post('/local/alarms', { ...alarm, state: 'ALARM' });
      expect((await patched(path, { environment: { RELEASE: '2' } })).status).toBe('FAILED');

      // Act
      await api.post('/local/alarms', { ...alarm, state: 'OK' });
      const deployed = await patched(path, { environment: { RELEASE: '2' } });

      // Assess
      expect(deployed.status).toBe('SUCCEEDED');
      expect((await api.get<{ settings: { environment: object } }>(path)).body.settings.environment).toEqual({
        RELEASE: '2',
      });
    });
  });
});
