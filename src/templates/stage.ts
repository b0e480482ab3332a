import {
  autoscales,
  DEFAULT_HEALTH_CHECK_PATH,
  type RollbackAlarms,
  type StageScaling,
} from '../domain/scaling';
import { autoscaling } from './autoscaling';
import { entryPoint } from './entrypoint';
import { loadBalancer } from './load-balancer';
import { logs } from './logs';
import { dnsPrefix, resourcePrefix } from './names';
import { network } from './network';
import { rollbackAlarms } from './rollback-alarms';
import { service } from './service';
import { serviceDiscovery } from './service-discovery';
import type { CfnTemplate, TemplateFragment } from './types';

export { STAGE_OUTPUTS } from './outputs';
export type { StageOutputKey } from './outputs';

export interface StageTemplateInput {
  /** TinyStacks stack id, e.g. 'stk_01hx...'. */
  stackId: string;
  /** Customer-facing stack name, e.g. 'shop'. */
  stackName: string;
  /** Lowercase letters, digits and hyphens, at most 20 characters. */
  stageName: string;
  /** Where the stack goes. The template itself uses AWS::Region, so it is the same in every region. */
  region: string;
  /** Container port. */
  port: number;
  loadBalancer: boolean;
  /** The full environment the container receives, already merged by the caller. */
  environment: Record<string, string>;
  /** CORS allowed origins of the stage's entry point. */
  origins: string[];
  imageUri: string;
  /** Changes on every deploy, forcing a new task definition revision. */
  deploymentId: string;
  /** Database passwords, from Secrets Manager through the task definition (src/domain/database.ts). */
  secrets?: Record<string, string>;
  secretArns?: string[];
  /** Task size and count, autoscaling; one task of the smallest Fargate size by default. */
  scaling?: StageScaling;
  /**
   * The count the service runs is left as it is (DesiredCount out of the template): on deploys of
   * an autoscaled stage that do not change `scaling` (src/tasks/stage-steps.ts decides).
   */
  keepTaskCount?: boolean;
  /** The load balancer's health check path (default `/`); without a load balancer, unused. */
  healthCheckPath?: string;
  /** Alarms that roll a deployment back; a stage with a load balancer only. */
  rollbackAlarms?: RollbackAlarms | null;
}

/** Logical ids are shared across components, so a clash is a bug, not something to overwrite. */
function addUnique<T>(section: string, target: Record<string, T>, entries: Record<string, T>): void {
  for (const [logicalId, entry] of Object.entries(entries)) {
    if (logicalId in target) throw new Error(`Two components define ${section}.${logicalId}`);
    target[logicalId] = entry;
  }
}

function merge(fragments: TemplateFragment[]): Pick<CfnTemplate, 'Resources' | 'Outputs'> {
  const merged: Pick<CfnTemplate, 'Resources' | 'Outputs'> = { Resources: {}, Outputs: {} };
  for (const fragment of fragments) {
    addUnique('Resources', merged.Resources, fragment.Resources);
    addUnique('Outputs', merged.Outputs, fragment.Outputs ?? {});
  }
  return merged;
}

/** The CloudFormation template of one stage: network, logs, ECS service and its public entry point. */
export function renderStageTemplate(input: StageTemplateInput): CfnTemplate {
  const prefix = resourcePrefix(input.stackId, input.stageName);
  const upstream = input.loadBalancer
    ? loadBalancer({
        stackId: input.stackId,
        stageName: input.stageName,
        prefix,
        port: input.port,
        healthCheckPath: input.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH,
      })
    : serviceDiscovery({ dnsPrefix: dnsPrefix(input.stackId, input.stageName) });
  if (input.rollbackAlarms && !input.loadBalancer) {
    throw new Error('rollback alarms watch the load balancer: a stage without one cannot have them');
  }
  const alarms = input.rollbackAlarms ? rollbackAlarms(prefix, input.rollbackAlarms) : undefined;
  const scaled = input.scaling && autoscales(input.scaling) ? input.scaling : undefined;

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `TinyStacks stage ${input.stageName} of stack ${input.stackName} (${input.stackId})`,
    ...merge([
      network({ prefix, port: input.port, serviceIngressFrom: upstream.ingressSecurityGroup }),
      logs({ stackId: input.stackId, stageName: input.stageName }),
      service({
        prefix,
        imageUri: input.imageUri,
        port: input.port,
        environment: input.environment,
        deploymentId: input.deploymentId,
        attachment: upstream.attachment,
        secrets: input.secrets,
        secretArns: input.secretArns,
        scaling: input.scaling,
        // Only an autoscaled service's count is the autoscaler's to keep.
        keepTaskCount: scaled !== undefined && input.keepTaskCount === true,
        deploymentAlarms: alarms?.alarmNames,
      }),
      entryPoint({
        apiName: `${input.stackName}-${input.stageName}`,
        prefix,
        origins: input.origins,
        integrationUri: upstream.integrationUri,
      }),
      upstream.fragment,
      ...(scaled ? [autoscaling(prefix, scaled)] : []),
      ...(alarms ? [alarms.fragment] : []),
    ]),
  };
}
