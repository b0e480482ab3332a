import * as z from 'zod/mini';
import { bastionBody } from './bastion';
import { stageDatabaseOption } from './database';
import { awsRegion, environment, origins, port, stageName } from './schema';

export const DEFAULT_PORT = 80;
/** The docs: "By default, only calls from localhost are allowed." */
export const DEFAULT_ORIGINS = ['http://localhost'];

export const createStageBody = z.strictObject({
  name: stageName,
  region: z.optional(awsRegion),
  requireApproval: z.optional(z.boolean()),
  loadBalancer: z.optional(z.boolean()),
  port: z.optional(port),
  environment: z.optional(environment),
  origins: z.optional(origins),
  /** A database of its own, or a read replica of another stage's: started once the stage is ACTIVE. */
  database: z.optional(stageDatabaseOption),
  /** A bastion host for the stage's databases: started after the database. */
  bastion: z.optional(bastionBody),
});
export type CreateStageBody = z.infer<typeof createStageBody>;

export const updateStageBody = z
  .strictObject({
    environment: z.optional(environment),
    origins: z.optional(origins),
    port: z.optional(port),
    requireApproval: z.optional(z.boolean()),
    loadBalancer: z.optional(z.boolean()),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one setting'));
export type UpdateStageBody = z.infer<typeof updateStageBody>;

export const STAGE_STATUSES = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING', 'FAILED'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export interface StageSettings {
  requireApproval: boolean;
  loadBalancer: boolean;
  port: number;
  environment: Record<string, string>;
  origins: string[];
}

export interface StageLock {
  operationId: string;
  acquiredAt: string;
}

export interface Stage extends StageSettings {
  tenantId: string;
  stackId: string;
  name: string;
  region: string;
  status: StageStatus;
  /** CloudFormation stack that holds the stage. */
  cfnStackName: string;
  imageUri: string;
  outputs: Record<string, string>;
  /** Names (never values) of every variable the service receives. */
  serviceEnvironmentNames: string[];
  lock?: StageLock;
  lastOperationId: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export function stageSettings(body: CreateStageBody): StageSettings {
  return {
    requireApproval: body.requireApproval ?? false,
    loadBalancer: body.loadBalancer ?? false,
    port: body.port ?? DEFAULT_PORT,
    environment: body.environment ?? {},
    origins: body.origins ?? [...DEFAULT_ORIGINS],
  };
}

/** A PATCH replaces each given setting whole; `environment: {}` clears the variables. */
export function applyStageUpdate(current: StageSettings, patch: UpdateStageBody): StageSettings {
  return {
    requireApproval: patch.requireApproval ?? current.requireApproval,
    loadBalancer: patch.loadBalancer ?? current.loadBalancer,
    port: patch.port ?? current.port,
    environment: patch.environment ?? current.environment,
    origins: patch.origins ?? current.origins,
  };
}

/** The CloudFormation stack that holds a stage (CloudFormation names allow letters, digits, hyphens). */
export function cfnStackNameOf(stackId: string, stageName: string): string {
  return `tinystacks-${stackId.replace(/_/g, '-')}-${stageName}`;
}
