import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { SimulatedServices } from '../../../src/local/cloudformation/effects';
import { renderStageTemplate, type StageTemplateInput } from '../../../src/templates/stage';
import { aStageTemplateInput } from '../../support/fixtures';
import { allEvents, describe as describeStack, REGION, stackStatuses } from './helpers';

/**
 * ECS's deployment alarms on the simulated CloudFormation: a service deployment during which an
 * alarm it names is in ALARM fails as ECS fails it, and the stack update rolls back.
 */
const folder = mkdtempSync(join(tmpdir(), 'deployment-alarms-'));
const services = new SimulatedServices(join(folder, 'customer-account.json'));
const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
afterAll(() => {
  cfn.dispose();
  rmSync(folder, { recursive: true, force: true });
});

const ALARM = 'ts-stk_01hx3k9d0q7s8y4w2v6t5r1p0n-dev-http-5xx';

const template = (overrides: Partial<StageTemplateInput> = {}) =>
  JSON.stringify(
    renderStageTemplate(aStageTemplateInput({ rollbackAlarms: { http5xxPercent: 5 }, ...overrides })),
  );

let stacks = 0;
async function createStage(): Promise<string> {
  const stackName = `tinystacks-alarms-${++stacks}`;
  await cfn.createStack(
    { StackName: stackName, TemplateBody: template(), Capabilities: ['CAPABILITY_IAM'] },
    REGION,
  );
  await cfn.whenIdle();
  return stackName;
}

async function update(stackName: string, overrides: Partial<StageTemplateInput>) {
  await cfn.updateStack(
    { StackName: stackName, TemplateBody: template(overrides), Capabilities: ['CAPABILITY_IAM'] },
    REGION,
  );
  await cfn.whenIdle();
  return describeStack(cfn, stackName);
}

describe('deployment alarms on the simulated CloudFormation', () => {
  afterEach(async () => {
    // Each test's stack is deleted, and its alarm with it.
    for (const { StackName } of (await cfn.describeStacks({}, REGION)).Stacks ?? [])
      await cfn.deleteStack({ StackName }, REGION);
    await cfn.whenIdle();
  });

  test('a new alarm has too little data to say; one in ALARM fails the next deployment, and the stack rolls back', async () => {
    // Prepare
    const stackName = await createStage();
    const created = services.alarmState(REGION, ALARM);
    services.setAlarmState(REGION, ALARM, 'ALARM');

    // Act
    const stack = await update(stackName, { deploymentId: 'op_2' });

    // Assess
    expect(created).toBe('INSUFFICIENT_DATA');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = await allEvents(cfn, stackName);
    const failed = events.find((e) => e.ResourceStatus === 'UPDATE_FAILED');
    expect(failed).toMatchObject({ LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service' });
    expect(failed!.ResourceStatusReason).toBe(
      `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'. ` +
        `Deployment failed: alarm detected: ${ALARM} in ALARM. Rolling back to the last completed deployment." ` +
        '(HandlerErrorCode: GeneralServiceException)',
    );
    expect(stackStatuses(events).slice(-4)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
  });

  test('back to OK, the same deployment goes through', async () => {
    // Prepare
    const stackName = await createStage();
    services.setAlarmState(REGION, ALARM, 'ALARM');
    const refused = await update(stackName, { deploymentId: 'op_2' });
    services.setAlarmState(REGION, ALARM, 'OK');

    // Act
    const stack = await update(stackName, { deploymentId: 'op_2' });

    // Assess
    expect([refused.StackStatus, stack.StackStatus]).toEqual(['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_COMPLETE']);
  });

  test('an update that starts no deployment (only the count, or the alarms themselves) is not watched', async () => {
    // Prepare
    const stackName = await createStage();
    services.setAlarmState(REGION, ALARM, 'ALARM');

    // Act: the same task definition; only the threshold and the task count change
    const stack = await update(stackName, {
      rollbackAlarms: { http5xxPercent: 10 },
      scaling: { cpu: 256, memory: 512, desiredCount: 2, minCount: 2, maxCount: 2, targetCpuPercent: null },
    });

    // Assess
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
  });

  test("a service's creation is not watched (no completed deployment to roll back to); its next deployment is", async () => {
    // Prepare: another stage's alarm in ALARM, named by a new service
    await createStage();
    services.setAlarmState(REGION, ALARM, 'ALARM');
    const naming = (overrides: Partial<StageTemplateInput>) => {
      const rendered = JSON.parse(template({ stageName: 'qa', rollbackAlarms: null, ...overrides })) as {
        Resources: { Service: { Properties: { DeploymentConfiguration: Record<string, unknown> } } };
      };
      rendered.Resources.Service.Properties.DeploymentConfiguration.Alarms = {
        AlarmNames: [ALARM],
        Enable: true,
        Rollback: true,
      };
      return JSON.stringify(rendered);
    };
    const request = (overrides: Partial<StageTemplateInput>) => ({
      StackName: 'tinystacks-alarms-qa',
      TemplateBody: naming(overrides),
      Capabilities: ['CAPABILITY_IAM' as const],
    });

    // Act
    await cfn.createStack(request({}), REGION);
    await cfn.whenIdle();
    const created = await describeStack(cfn, 'tinystacks-alarms-qa');
    await cfn.updateStack(request({ deploymentId: 'op_2' }), REGION);
    await cfn.whenIdle();
    const updated = await describeStack(cfn, 'tinystacks-alarms-qa');

    // Assess
    expect([created.StackStatus, updated.StackStatus]).toEqual([
      'CREATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
  });

  test('an alarm goes with its stack; only an existing alarm takes a state', async () => {
    // Prepare
    const stackName = await createStage();
    services.setAlarmState(REGION, ALARM, 'ALARM');

    // Act
    await cfn.deleteStack({ StackName: stackName }, REGION);
    await cfn.whenIdle();

    // Assess
    expect(services.alarmState(REGION, ALARM)).toBeUndefined();
    expect(services.setAlarmState(REGION, ALARM, 'ALARM')).toBe(false);
  });

  test('alarm states are written with the simulated account, and read back after a restart', async () => {
    // Prepare
    await createStage();
    services.setAlarmState(REGION, ALARM, 'ALARM');

    // Act
    const restarted = new SimulatedServices(join(folder, 'customer-account.json'));

    // Assess
    expect(restarted.alarmState(REGION, ALARM)).toBe('ALARM');
  });

  test("a health check path Elastic Load Balancing refuses fails the target group with ELB's message", async () => {
    // Prepare
    const stackName = await createStage();

    // Act
    const stack = await update(stackName, { healthCheckPath: '/health check' });

    // Assess
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const failed = (await allEvents(cfn, stackName)).find((e) => e.ResourceStatus === 'UPDATE_FAILED');
    expect(failed?.LogicalResourceId).toBe('TargetGroup');
    expect(failed?.ResourceStatusReason).toContain("Health check path must begin with a '/'");
  });
});
