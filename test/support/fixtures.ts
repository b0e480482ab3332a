import { newId } from '../../src/domain/ids';
import type { Operation } from '../../src/domain/operation';
import type { Stack } from '../../src/domain/stack';
import { DEFAULT_HEALTH_CHECK_PATH, DEFAULT_SCALING } from '../../src/domain/scaling';
import { cfnStackNameOf, DEFAULT_ORIGINS, DEFAULT_PORT, type Stage } from '../../src/domain/stage';
import type { StageTemplateInput } from '../../src/templates/stage';

/** The table name the store tests create on dynalite. */
export const TABLE_NAME = 'tinystacks-test';

/** A tenant of its own for each test, so tests sharing one table never see each other's items. */
export const newTenantId = (): string => newId('tenant');

export function aStack(overrides: Partial<Stack> & Pick<Stack, 'tenantId'>): Stack {
  const now = new Date().toISOString();
  return {
    stackId: newId('stk'),
    name: 'shop',
    repository: 'acme/shop',
    branch: 'main',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::444455556666:role/tinystacks-deployer',
    stageCount: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A stage locked by its create operation, as createStage records it. */
export function aStage(overrides: Partial<Stage> & Pick<Stage, 'tenantId' | 'stackId'>): Stage {
  const now = new Date().toISOString();
  const name = overrides.name ?? 'dev';
  const operationId = overrides.lastOperationId ?? newId('op');
  return {
    name,
    region: 'eu-west-1',
    status: 'CREATING',
    cfnStackName: cfnStackNameOf(overrides.stackId, name),
    imageUri: 'public.ecr.aws/nginx/nginx:stable',
    outputs: {},
    serviceEnvironmentNames: [],
    requireApproval: false,
    loadBalancer: false,
    port: DEFAULT_PORT,
    environment: {},
    origins: [...DEFAULT_ORIGINS],
    scaling: DEFAULT_SCALING,
    healthCheckPath: DEFAULT_HEALTH_CHECK_PATH,
    rollbackAlarms: null,
    lock: { operationId, acquiredAt: now },
    lastOperationId: operationId,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function anOperation(
  overrides: Partial<Operation> & Pick<Operation, 'tenantId' | 'stackId'>,
): Operation {
  const now = new Date().toISOString();
  return {
    operationId: newId('op'),
    type: 'CREATE_STAGE',
    status: 'PENDING',
    stageName: 'dev',
    input: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** What renderStageTemplate takes for a small stage `dev` behind a load balancer in us-east-1. */
export const aStageTemplateInput = (overrides: Partial<StageTemplateInput> = {}): StageTemplateInput => ({
  stackId: 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n',
  stackName: 'shop',
  stageName: 'dev',
  region: 'us-east-1',
  port: 8080,
  loadBalancer: true,
  environment: {},
  origins: ['http://localhost'],
  imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:abc123',
  deploymentId: 'op_1',
  ...overrides,
});
