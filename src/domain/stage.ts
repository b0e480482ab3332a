import { isDeepStrictEqual } from 'node:util';
import type { DeployWindow } from './deploy-window';
import type { CreateStageBody, UpdateStageBody } from './input/stage';
import { approvalOnCreate, approvalOnUpdate, approvalPolicyOf, type ApprovalPolicy } from './approval-policy';

export const DEFAULT_PORT = 80;
/** The docs: "By default, only calls from localhost are allowed." */
export const DEFAULT_ORIGINS = ['http://localhost'];

export const STAGE_STATUSES = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING', 'FAILED'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export interface StageSettings {
  /** Whether a run waits for approval here: `approval !== null`, kept for clients that read only this. */
  requireApproval: boolean;
  /** The approval policy (src/domain/approval-policy.ts); null: no approval. Absent on stages stored before policies. */
  approval?: ApprovalPolicy | null;
  loadBalancer: boolean;
  port: number;
  environment: Record<string, string>;
  origins: string[];
  /** When a run may deploy the stage; null or absent (stages recorded before windows): at any time. */
  deployWindows?: DeployWindow[] | null;
}

export interface StageLock {
  operationId: string;
  acquiredAt: string;
}

/**
 * Settings asked for by a PATCH, being deployed by its operation. The stage's own settings are what
 * is deployed: they take these only once the operation has deployed them.
 */
export interface PendingStageChange {
  operationId: string;
  settings: StageSettings;
  /** The image it deploys instead of the stage's (a rollback's). */
  imageUri?: string;
}

/** A settings change that was not deployed: the settings it asked for (those that differ), and why. */
export interface FailedStageChange extends Partial<StageSettings> {
  operationId: string;
  reason: string;
  failedAt: string;
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
  pendingChange?: PendingStageChange;
  failedChange?: FailedStageChange;
  /** The deployment the stage runs (src/domain/deployment.ts): its last one that succeeded. */
  deploymentId?: string;
  lastOperationId: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export function stageSettings(body: CreateStageBody): StageSettings {
  const approval = approvalOnCreate(body);
  return {
    requireApproval: approval !== null,
    approval,
    loadBalancer: body.loadBalancer ?? false,
    port: body.port ?? DEFAULT_PORT,
    environment: body.environment ?? {},
    origins: body.origins ?? [...DEFAULT_ORIGINS],
    ...(body.deployWindows ? { deployWindows: body.deployWindows } : {}),
  };
}

/** A PATCH replaces each given setting whole; `environment: {}` clears the variables. */
export function applyStageUpdate(current: StageSettings, patch: UpdateStageBody): StageSettings {
  // Kept absent when never set; null (removed) replaces what the stage has.
  const deployWindows = patch.deployWindows !== undefined ? patch.deployWindows : current.deployWindows;
  const approval = approvalOnUpdate(approvalPolicyOf(current), patch);
  return {
    requireApproval: approval !== null,
    approval,
    loadBalancer: patch.loadBalancer ?? current.loadBalancer,
    port: patch.port ?? current.port,
    environment: patch.environment ?? current.environment,
    origins: patch.origins ?? current.origins,
    ...(deployWindows !== undefined ? { deployWindows } : {}),
  };
}

export const SETTING_NAMES = [
  'requireApproval',
  'approval',
  'loadBalancer',
  'port',
  'environment',
  'origins',
  'deployWindows',
] as const;

/** The stage's own settings: what is deployed. */
export function settingsOf(stage: StageSettings): StageSettings {
  const settings = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, stage[name]]),
  ) as unknown as StageSettings;
  // A stage stored before approval policies has `requireApproval` alone: its policy is the shorthand's.
  return { ...settings, approval: approvalPolicyOf(stage) };
}

/** The settings an operation deploys: its pending change, or else the stage's own. */
export function settingsFor(stage: Stage, operationId: string): StageSettings {
  if (stage.pendingChange?.operationId === operationId) return stage.pendingChange.settings;
  return settingsOf(stage);
}

/** The image an operation deploys: its pending change's (a rollback's), or else the stage's. */
export function imageFor(stage: Stage, operationId: string): string {
  const pending = stage.pendingChange;
  return (pending?.operationId === operationId && pending.imageUri) || stage.imageUri;
}

/** A stage whose create failed has no CloudFormation stack to update: its next deploy creates it. */
export const deployActionOf = (stage: Pick<Stage, 'status' | 'outputs'>): 'CREATE' | 'UPDATE' =>
  stage.status === 'FAILED' && Object.keys(stage.outputs).length === 0 ? 'CREATE' : 'UPDATE';

/** The settings of `wanted` that differ from `current`: what a change asked for. */
export function changedSettings(current: StageSettings, wanted: StageSettings): Partial<StageSettings> {
  return Object.fromEntries(
    SETTING_NAMES.filter((name) => !isDeepStrictEqual(current[name], wanted[name])).map((name) => [
      name,
      wanted[name],
    ]),
  );
}

/** The CloudFormation stack that holds a stage (CloudFormation names allow letters, digits, hyphens). */
export function cfnStackNameOf(stackId: string, stageName: string): string {
  return `tinystacks-${stackId.replace(/_/g, '-')}-${stageName}`;
}
