import type { FargateSize } from '../domain/fargate';
import { entryPoint } from './entrypoint';
import { loadBalancer } from './load-balancer';
import { logs } from './logs';
import { dnsPrefix, resourcePrefix } from './names';
import { network } from './network';
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
  /** The task's CPU and memory; the smallest Fargate size by default. */
  size?: FargateSize;
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
    ? loadBalancer({ stackId: input.stackId, stageName: input.stageName, prefix, port: input.port })
    : serviceDiscovery({ dnsPrefix: dnsPrefix(input.stackId, input.stageName) });

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
        size: input.size,
      }),
      entryPoint({
        apiName: `${input.stackName}-${input.stageName}`,
        prefix,
        origins: input.origins,
        integrationUri: upstream.integrationUri,
      }),
      upstream.fragment,
    ]),
  };
}
