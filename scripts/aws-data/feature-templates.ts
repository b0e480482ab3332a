/**
 * Every kind of template TinyStacks renders, by the feature that makes it render: the resource
 * types each feature needs in its region. Shared by the generator (region-services.ts) and by the
 * test that fails when a template gains a type the committed data does not cover.
 */
import { ENGINES, type Engine } from '../../src/domain/database';
import { resolveScaling } from '../../src/domain/scaling';
import { autoscaling } from '../../src/templates/autoscaling';
import { renderBastionTemplate } from '../../src/templates/bastion';
import { renderDatabaseTemplate, type DatabaseTemplateInput } from '../../src/templates/database';
import { renderPipelineTemplate } from '../../src/templates/pipeline';
import { rollbackAlarms } from '../../src/templates/rollback-alarms';
import { renderStageTemplate } from '../../src/templates/stage';
import type { CfnTemplate, TemplateFragment } from '../../src/templates/types';

const STACK = { stackId: 'stk_sample', stackName: 'sample' };
const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  privateSubnetIds: ['subnet-0123456789abcdef0'],
  clientSecurityGroupIds: ['sg-0123456789abcdef0'],
};

const stage = (loadBalancer: boolean) =>
  renderStageTemplate({
    ...STACK,
    stageName: 'dev',
    region: 'us-east-1',
    port: 80,
    loadBalancer,
    environment: {},
    origins: ['http://localhost'],
    imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
    deploymentId: 'op_sample',
    secrets: { PG_CREDENTIALS_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x:password::' },
    secretArns: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:x'],
  });

/** What a stage setting adds to the stage's template, on its own. */
const addition = ({ Resources }: TemplateFragment): CfnTemplate => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Description: 'what a stage setting adds',
  Resources,
  Outputs: {},
});

/** A new database, a read replica and a promoted one: every shape the engine's stack can take. */
function database(engine: Engine): CfnTemplate[] {
  const base: DatabaseTemplateInput = {
    ...STACK,
    stageName: 'dev',
    engine,
    shape: 'managed',
    instanceClass: engine === 'redis' ? 'cache.t4g.micro' : 'db.t4g.micro',
    passwordVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    network: NETWORK,
  };
  if (engine === 'redis') return [renderDatabaseTemplate(base)];
  const replica = {
    sourceArn: 'arn:aws:rds:us-east-1:123456789012:db:source',
    sourceRegion: 'us-east-1',
    region: 'eu-west-1',
  };
  return [
    renderDatabaseTemplate(base),
    renderDatabaseTemplate({ ...base, shape: 'replica', replica }),
    renderDatabaseTemplate({ ...base, shape: 'promoted', replica }),
  ];
}

export const FEATURE_TEMPLATES: Record<string, () => CfnTemplate[]> = {
  stage: () => [stage(false)],
  stageWithLoadBalancer: () => [stage(true)],
  autoscaling: () => [
    addition(
      autoscaling('ts-sample-dev', resolveScaling({ cpu: 256, memory: 512, desiredCount: 1, maxCount: 2 })),
    ),
  ],
  rollbackAlarms: () => [
    addition(rollbackAlarms('ts-sample-dev', { http5xxPercent: 5, unhealthyHosts: 1 }).fragment),
  ],
  ...Object.fromEntries(ENGINES.map((engine) => [engine, () => database(engine)])),
  bastion: () => [
    renderBastionTemplate({
      ...STACK,
      stageName: 'dev',
      allowedCidrs: ['203.0.113.7/32'],
      vpcId: NETWORK.vpcId,
      subnetId: 'subnet-0123456789abcdef0',
      bastionSecurityGroupId: 'sg-0123456789abcdef0',
    }),
  ],
  pipeline: () => [renderPipelineTemplate({ ...STACK, repository: 'acme/shop', branch: 'main' })],
};

/** feature → the resource types its templates declare, sorted. */
export function featureResourceTypes(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(FEATURE_TEMPLATES).map(([feature, render]) => {
      const types = new Set(
        render().flatMap((template) => Object.values(template.Resources).map((resource) => resource.Type)),
      );
      return [feature, [...types].sort()];
    }),
  );
}
