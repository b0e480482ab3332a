import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { resolveScaling } from '../../../src/domain/scaling';
import { AUTOSCALING } from '../../../src/templates/autoscaling';
import { ROLLBACK_ALARMS } from '../../../src/templates/rollback-alarms';
import { renderStageTemplate } from '../../../src/templates/stage';
import type { CfnTemplate } from '../../../src/templates/types';
import { aStageTemplateInput } from '../../support/fixtures';

const REGION = 'us-east-1';

const cfn = new LocalCloudFormation({ delayMs: 1 });
afterAll(() => cfn.dispose());

const input = aStageTemplateInput;

/** The stage: 1024/2048, between 2 and 6 tasks. */
const AUTOSCALED = resolveScaling({ cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6 });

const properties = (template: CfnTemplate, logicalId: string) => template.Resources[logicalId]?.Properties;
const typesOf = (template: CfnTemplate) => Object.values(template.Resources).map((r) => r.Type);

async function deploy(template: CfnTemplate, stackName: string) {
  const request = {
    StackName: stackName,
    TemplateBody: JSON.stringify(template),
    Capabilities: ['CAPABILITY_IAM' as const],
  };
  const exists = await cfn.describeStacks({ StackName: stackName }, REGION).catch(() => undefined);
  if (exists) await cfn.updateStack(request, REGION);
  else await cfn.createStack(request, REGION);
  await cfn.whenIdle();
  return (await cfn.describeStacks({ StackName: stackName }, REGION)).Stacks![0]!;
}

describe('stage sizing in the template', () => {
  test("by default, today's stage: one task of 256/512, no autoscaling, no alarms, health check on /", () => {
    // Act
    const template = renderStageTemplate(input());

    // Assess
    expect(properties(template, 'TaskDefinition')).toMatchObject({ Cpu: '256', Memory: '512' });
    expect(properties(template, 'Service')).toMatchObject({ DesiredCount: 1 });
    expect(properties(template, 'Service')!.DeploymentConfiguration).not.toHaveProperty('Alarms');
    expect(properties(template, 'TargetGroup')).toMatchObject({ HealthCheckPath: '/' });
    expect(typesOf(template)).not.toContain('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(typesOf(template)).not.toContain('AWS::CloudWatch::Alarm');
  });

  test('a fixed count sizes the task and runs that many, without autoscaling, even when asked to keep the count', () => {
    // Prepare
    const scaling = resolveScaling({ cpu: 4096, memory: 30720, desiredCount: 3 });

    // Act
    const template = renderStageTemplate(input({ scaling, keepTaskCount: true }));

    // Assess
    expect(properties(template, 'TaskDefinition')).toMatchObject({ Cpu: '4096', Memory: '30720' });
    expect(properties(template, 'Service')).toMatchObject({ DesiredCount: 3 });
    expect(typesOf(template)).not.toContain('AWS::ApplicationAutoScaling::ScalableTarget');
  });

  test('2–6 tasks: a scalable target on the service and a CPU target-tracking policy (60 % by default)', () => {
    // Act
    const template = renderStageTemplate(input({ scaling: AUTOSCALED }));

    // Assess
    expect(properties(template, 'Service')).toMatchObject({ DesiredCount: 2 });
    expect(properties(template, AUTOSCALING.scalableTarget)).toEqual({
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: { 'Fn::Sub': 'service/${Cluster}/${Service.Name}' },
      MinCapacity: 2,
      MaxCapacity: 6,
    });
    expect(properties(template, AUTOSCALING.cpuPolicy)).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: AUTOSCALING.scalableTarget },
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
  });

  test("a deploy that keeps the autoscaler's count leaves DesiredCount out; nothing else changes", () => {
    // Act
    const setting = renderStageTemplate(input({ scaling: AUTOSCALED }));
    const keeping = renderStageTemplate(input({ scaling: AUTOSCALED, keepTaskCount: true }));

    // Assess
    expect(properties(keeping, 'Service')).not.toHaveProperty('DesiredCount');
    const { DesiredCount: _count, ...rest } = properties(setting, 'Service')!;
    expect(properties(keeping, 'Service')).toEqual(rest);
    expect(properties(keeping, AUTOSCALING.scalableTarget)).toEqual(
      properties(setting, AUTOSCALING.scalableTarget),
    );
  });

  test('the health check path goes to the target group; without a load balancer it changes nothing', () => {
    // Act
    const withLoadBalancer = renderStageTemplate(input({ healthCheckPath: '/healthz?full=1' }));
    const withoutOne = renderStageTemplate(input({ loadBalancer: false, healthCheckPath: '/healthz' }));

    // Assess
    expect(properties(withLoadBalancer, 'TargetGroup')).toMatchObject({ HealthCheckPath: '/healthz?full=1' });
    expect(withoutOne).toEqual(renderStageTemplate(input({ loadBalancer: false })));
  });

  test('rollback alarms: a 5xx share by metric math and unhealthy hosts on the target group, named in the deployment alarms', () => {
    // Act
    const template = renderStageTemplate(input({ rollbackAlarms: { http5xxPercent: 5, unhealthyHosts: 2 } }));

    // Assess
    const http5xx = properties(template, ROLLBACK_ALARMS.http5xxPercent)!;
    const metrics = http5xx.Metrics as {
      Id: string;
      MetricStat?: { Metric: { MetricName: string } };
      Expression?: string;
    }[];
    expect(metrics.map((m) => m.MetricStat?.Metric.MetricName ?? m.Expression)).toEqual([
      'HTTPCode_Target_5XX_Count',
      'RequestCount',
      '100 * FILL(errors, 0) / requests',
    ]);
    expect(http5xx).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(properties(template, ROLLBACK_ALARMS.unhealthyHosts)).toMatchObject({
      MetricName: 'UnHealthyHostCount',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [
        { Name: 'TargetGroup', Value: { 'Fn::GetAtt': ['TargetGroup', 'TargetGroupFullName'] } },
        { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': ['LoadBalancer', 'LoadBalancerFullName'] } },
      ],
    });
    expect(properties(template, 'Service')!.DeploymentConfiguration).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      Alarms: {
        AlarmNames: [{ Ref: ROLLBACK_ALARMS.http5xxPercent }, { Ref: ROLLBACK_ALARMS.unhealthyHosts }],
        Enable: true,
        Rollback: true,
      },
    });
  });

  test('rollback alarms without a load balancer are a bug of the caller: nothing to watch', () => {
    expect(() =>
      renderStageTemplate(input({ loadBalancer: false, rollbackAlarms: { unhealthyHosts: 1 } })),
    ).toThrow(/load balancer/);
  });

  test('an autoscaled stage with alarms provisions, and redeploys keeping its count, on the validating simulator', async () => {
    // Prepare
    const sized = { scaling: AUTOSCALED, healthCheckPath: '/healthz', rollbackAlarms: { http5xxPercent: 5 } };

    // Act
    const created = await deploy(renderStageTemplate(input(sized)), 'tinystacks-sizing-1');
    const updated = await deploy(
      renderStageTemplate(input({ ...sized, deploymentId: 'op_2', keepTaskCount: true })),
      'tinystacks-sizing-1',
    );
    const { StackResources } = await cfn.describeStackResources({ StackName: 'tinystacks-sizing-1' }, REGION);

    // Assess
    expect([created.StackStatus, updated.StackStatus]).toEqual(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
    const byId = Object.fromEntries(
      StackResources!.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]),
    );
    expect(byId[AUTOSCALING.scalableTarget]).toMatch(
      /^service\/ts-stk_01hx3k9d0q7s8y4w2v6t5r1p0n-dev\/[\w-]+\|ecs:service:DesiredCount\|ecs$/,
    );
    expect(byId[AUTOSCALING.cpuPolicy]).toMatch(/^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:/);
    expect(byId[ROLLBACK_ALARMS.http5xxPercent]).toBe('ts-stk_01hx3k9d0q7s8y4w2v6t5r1p0n-dev-http-5xx');
  });
});
