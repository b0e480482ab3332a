import * as z from 'zod/mini';
import { WEEKDAYS } from '../domain/deploy-window';
import type { Operation } from '../domain/operation';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../domain/operation';
import { STACK_STATUSES, type Stack } from '../domain/stack';
import type { Stage, StageSettings } from '../domain/stage';
import { approvalPolicyOf } from '../domain/approval-policy';
import { STAGE_STATUSES } from '../domain/stage';

/** What clients see. The schemas document the responses in the OpenAPI document. */
export const stackView = (s: Stack) => ({
  stackId: s.stackId,
  name: s.name,
  repository: s.repository,
  branch: s.branch,
  region: s.region,
  roleArn: s.roleArn,
  stageCount: s.stageCount,
  status: s.status ?? 'ACTIVE',
  currentOperationId: s.lock?.operationId ?? null,
  lastError: s.lastError ?? null,
  pipeline: s.pipeline
    ? {
        status: s.pipeline.status,
        pipelineName: s.pipeline.pipelineName,
        imageRepositoryUri: s.pipeline.imageRepositoryUri ?? null,
        error: s.pipeline.error ?? null,
      }
    : null,
  notifications: s.notifications ?? { emails: [], slack: false },
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const stageView = (s: Stage) => ({
  stackId: s.stackId,
  name: s.name,
  region: s.region,
  status: s.status,
  url: s.outputs.StageUrl ?? null,
  settings: settingsView(s),
  pendingChange: s.pendingChange
    ? {
        operationId: s.pendingChange.operationId,
        settings: settingsView(s.pendingChange.settings),
        imageUri: s.pendingChange.imageUri ?? null,
      }
    : null,
  failedChange: s.failedChange ?? null,
  serviceEnvironmentNames: s.serviceEnvironmentNames,
  imageUri: s.imageUri,
  deploymentId: s.deploymentId ?? null,
  cfnStackName: s.cfnStackName,
  outputs: s.outputs,
  currentOperationId: s.lock?.operationId ?? null,
  lastOperationId: s.lastOperationId,
  lastError: s.lastError ?? null,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** A stage's settings as GET shows them: every one, the approval policy spelt out (null: none). */
const settingsView = (s: StageSettings) => ({
  requireApproval: s.requireApproval,
  approval: approvalPolicyOf(s),
  loadBalancer: s.loadBalancer,
  port: s.port,
  environment: s.environment,
  origins: s.origins,
  deployWindows: s.deployWindows ?? null,
});

export const operationView = (o: Operation) => ({
  operationId: o.operationId,
  type: o.type,
  status: o.status,
  stackId: o.stackId,
  stageName: o.stageName ?? null,
  input: o.input,
  executionArn: o.executionArn ?? null,
  error: o.error ?? null,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  startedAt: o.startedAt ?? null,
  endedAt: o.endedAt ?? null,
});

const nullableString = z.nullable(z.string());
const stringMap = z.record(z.string(), z.string());

export const stackSchema = z.object({
  stackId: z.string(),
  name: z.string(),
  repository: z.string(),
  branch: z.string(),
  region: z.string(),
  roleArn: z.string(),
  stageCount: z.number(),
  /** DELETING while its deletion runs; DELETE_FAILED when it failed (`lastError` says why: delete it again). */
  status: z.enum(STACK_STATUSES),
  /** The operation deleting the stack. */
  currentOperationId: nullableString,
  lastError: nullableString,
  pipeline: z.nullable(
    z.object({
      status: z.enum(['CREATING', 'ACTIVE', 'FAILED']),
      pipelineName: z.string(),
      imageRepositoryUri: nullableString,
      error: nullableString,
    }),
  ),
  notifications: z.object({ emails: z.array(z.string()), slack: z.boolean() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const settingsSchema = z.object({
  requireApproval: z.boolean(),
  /** How many distinct people must approve, who may (null: any user of the tenant and any link recipient), and whether the author may. */
  approval: z.nullable(
    z.object({
      required: z.number(),
      approvers: z.nullable(z.array(z.string())),
      allowSelfApproval: z.boolean(),
    }),
  ),
  loadBalancer: z.boolean(),
  port: z.number(),
  environment: stringMap,
  origins: z.array(z.string()),
  /** When a run may deploy the stage (README "Deploy windows"); null: at any time. */
  deployWindows: z.nullable(
    z.array(
      z.object({
        days: z.array(z.enum(WEEKDAYS)),
        start: z.string(),
        end: z.string(),
        timeZone: z.string(),
      }),
    ),
  ),
});

export const stageSchema = z.object({
  stackId: z.string(),
  name: z.string(),
  region: z.string(),
  status: z.enum(STAGE_STATUSES),
  url: nullableString,
  /** What is deployed: a PATCH changes these only once its operation has deployed them. */
  settings: settingsSchema,
  /** A settings change (PATCH) being deployed by its operation. */
  pendingChange: z.nullable(
    z.object({
      operationId: z.string(),
      settings: settingsSchema,
      /** The image it deploys, when not the stage's (a rollback's). */
      imageUri: nullableString,
    }),
  ),
  /** The last settings change that was not deployed: the settings it asked for, and why it failed. */
  failedChange: z.nullable(
    z.object({
      ...z.partial(settingsSchema).shape,
      operationId: z.string(),
      reason: z.string(),
      failedAt: z.string(),
    }),
  ),
  serviceEnvironmentNames: z.array(z.string()),
  imageUri: z.string(),
  /** The deployment the stage runs: GET …/deployments/{deploymentId}; null before its first one. */
  deploymentId: nullableString,
  /** The CloudFormation stack that holds the stage, in the customer's account (the stage's region). */
  cfnStackName: z.string(),
  outputs: stringMap,
  currentOperationId: nullableString,
  lastOperationId: z.string(),
  lastError: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const operationSchema = z.object({
  operationId: z.string(),
  type: z.enum(OPERATION_TYPES),
  status: z.enum(OPERATION_STATUSES),
  stackId: z.string(),
  /** Null for a stack's own operations (DELETE_STACK). */
  stageName: nullableString,
  input: z.record(z.string(), z.unknown()),
  executionArn: nullableString,
  error: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: nullableString,
  endedAt: nullableString,
});

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.optional(z.string()) }),
});

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextToken: z.nullable(z.string()) });

export const operationAccepted = z.object({ operation: operationSchema });
