import type { RollbackAlarms } from '../domain/scaling';
import { getAtt, ref } from './intrinsics';
import { LOAD_BALANCER } from './load-balancer';
import type { CfnResource, CfnValue, TemplateFragment } from './types';

/** The alarms' logical ids, by the `rollbackAlarms` field that asks for each. */
export const ROLLBACK_ALARMS = {
  http5xxPercent: 'Http5xxRollbackAlarm',
  unhealthyHosts: 'UnhealthyHostsRollbackAlarm',
} as const satisfies Record<keyof RollbackAlarms, string>;

/** The load balancer and target group the metrics are about (AWS/ApplicationELB's dimensions). */
const TARGET_GROUP_DIMENSIONS: CfnValue[] = [
  { Name: 'TargetGroup', Value: getAtt(LOAD_BALANCER.targetGroup, 'TargetGroupFullName') },
  { Name: 'LoadBalancer', Value: getAtt(LOAD_BALANCER.loadBalancer, 'LoadBalancerFullName') },
];

/**
 * One-minute periods, two of the last three breaching: ECS derives its bake time (how long it keeps
 * watching after the new tasks are up) from the alarms' periods, so short ones keep deploys short,
 * and one bad minute alone does not roll back. No data (no traffic) is not a failure.
 */
const EVALUATION = {
  EvaluationPeriods: 3,
  DatapointsToAlarm: 2,
  TreatMissingData: 'notBreaching',
} as const;

const targetMetric = (id: string, metricName: string): CfnValue => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: TARGET_GROUP_DIMENSIONS },
    Period: 60,
    Stat: 'Sum',
  },
  ReturnData: false,
});

function http5xxAlarm(prefix: string, percent: number): CfnResource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${prefix}-http-5xx`,
      AlarmDescription: `More than ${percent}% of the requests answered 5xx by the tasks: ECS rolls a deployment back`,
      // The share of 5xx among the requests: a load balancer emits no 5xx count in a minute without one.
      Metrics: [
        targetMetric('errors', 'HTTPCode_Target_5XX_Count'),
        targetMetric('requests', 'RequestCount'),
        {
          Id: 'percent',
          Expression: '100 * FILL(errors, 0) / requests',
          Label: 'Target 5xx (% of requests)',
          ReturnData: true,
        },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: percent,
      ...EVALUATION,
    },
  };
}

function unhealthyHostsAlarm(prefix: string, hosts: number): CfnResource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${prefix}-unhealthy-hosts`,
      AlarmDescription: `${hosts} or more tasks failing the load balancer's health check: ECS rolls a deployment back`,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'UnHealthyHostCount',
      Dimensions: TARGET_GROUP_DIMENSIONS,
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: hosts,
      ...EVALUATION,
    },
  };
}

/**
 * CloudWatch alarms on the stage's target group; the service names them in its deployment
 * configuration (`Alarms`, with `Rollback`), so a deployment during which one goes into ALARM fails,
 * ECS puts the previous deployment back, and CloudFormation rolls the stack update back.
 */
export function rollbackAlarms(
  prefix: string,
  alarms: RollbackAlarms,
): { fragment: TemplateFragment; alarmNames: CfnValue[] } {
  const resources: Record<string, CfnResource> = {};
  if (alarms.http5xxPercent !== undefined)
    resources[ROLLBACK_ALARMS.http5xxPercent] = http5xxAlarm(prefix, alarms.http5xxPercent);
  if (alarms.unhealthyHosts !== undefined)
    resources[ROLLBACK_ALARMS.unhealthyHosts] = unhealthyHostsAlarm(prefix, alarms.unhealthyHosts);
  // Ref of an alarm is its name; the reference also makes CloudFormation update the alarms first.
  return { fragment: { Resources: resources }, alarmNames: Object.keys(resources).map(ref) };
}
