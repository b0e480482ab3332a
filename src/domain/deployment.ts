import type { OperationType } from './operation';
import { SETTING_NAMES, type Stage, type StageSettings } from './stage';

/**
 * A deployment is one create or update of a stage's CloudFormation stack: the image and settings it
 * deployed, and how it ended. Every operation whose workflow creates or updates the stage's stack is
 * one (a pipeline run's deploy, a PATCH, a rollback, a database change that rebuilds the service).
 */
export const DEPLOYMENT_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** How a deployment ends: ROLLED_BACK when CloudFormation undid the update (the stage runs the one before). */
export type DeploymentEnd = Exclude<DeploymentStatus, 'IN_PROGRESS'>;

export interface Deployment {
  tenantId: string;
  stackId: string;
  stageName: string;
  /** Which stage of that name: a stage deleted and created again starts a history of its own. */
  stageCreatedAt: string;
  deploymentId: string;
  operationId: string;
  operationType: OperationType;
  imageUri: string;
  /** The commit the image was built from, when known (a run's, or carried over from the deployment before). */
  commit?: string;
  /** The pipeline run that deployed it. */
  runId?: string;
  /** The deployment a rollback restored. */
  rollbackOf?: string;
  /**
   * Everything the stage was deployed with, environment values included (as the stage item holds
   * them), so a rollback can deploy it again exactly. Never shown: the API shows the names only.
   * Database credentials are not in it: the service gets them from Secrets Manager at render time.
   */
  settings: StageSettings;
  status: DeploymentStatus;
  /** Why it failed or rolled back: the first failed resource of the stack's events. */
  reason?: string;
  startedAt: string;
  endedAt?: string;
}

/** The operations whose workflow creates or updates the stage's own stack: each is a deployment. */
export const DEPLOYING_OPERATIONS: readonly OperationType[] = [
  'CREATE_STAGE',
  'UPDATE_STAGE',
  'ROLLBACK_STAGE',
  'ADD_DATABASE',
  'UPDATE_DATABASE',
  'CHANGE_DATABASE_PASSWORD',
  'PROMOTE_DATABASE',
  'CREATE_READ_REPLICA',
  'DELETE_DATABASE',
];

/**
 * One deployment per operation, named after it (`op_<ulid>` → `dep_<ulid>`): time-ordered like it,
 * and the same on every retry of the step that records it.
 */
export const deploymentIdOf = (operationId: string) =>
  `dep_${operationId.slice(operationId.indexOf('_') + 1)}`;

/** What an operation deploys: the stage's image and settings unless it says otherwise. */
export interface DeploymentContent {
  imageUri: string;
  settings: StageSettings;
  commit?: string;
  runId?: string;
  rollbackOf?: string;
}

export function newDeployment(
  stage: Pick<Stage, 'tenantId' | 'stackId' | 'name' | 'createdAt'>,
  operation: { operationId: string; type: OperationType; createdAt: string },
  content: DeploymentContent,
): Deployment {
  return {
    tenantId: stage.tenantId,
    stackId: stage.stackId,
    stageName: stage.name,
    stageCreatedAt: stage.createdAt,
    deploymentId: deploymentIdOf(operation.operationId),
    operationId: operation.operationId,
    operationType: operation.type,
    ...content,
    status: 'IN_PROGRESS',
    startedAt: operation.createdAt,
  };
}

/**
 * Settings that decide when and whether a run deploys (approvals, deploy windows), not what runs: a
 * rollback keeps today's. Named as strings: some are added by other settings work.
 */
export const GATE_SETTINGS: readonly string[] = ['requireApproval', 'approval', 'deployWindows'];

/**
 * The settings a rollback deploys: the deployment's, but for the gates, which stay as they are; a
 * setting the deployment did not record (it did not exist then) stays as it is too.
 */
export function restoredSettings(current: StageSettings, deployed: StageSettings): StageSettings {
  const restored: Record<string, unknown> = { ...current };
  for (const name of SETTING_NAMES as readonly string[]) {
    if (GATE_SETTINGS.includes(name) || !(name in deployed)) continue;
    restored[name] = (deployed as unknown as Record<string, unknown>)[name];
  }
  return restored as unknown as StageSettings;
}

/** Why a deployment cannot be rolled back to on this stage (a 400 on `deploymentId`), or nothing. */
export function rollbackRefusal(
  deployment: Deployment,
  stage: Pick<Stage, 'name' | 'createdAt'>,
): string | undefined {
  const id = deployment.deploymentId;
  if (deployment.stageName !== stage.name)
    return `deployment ${id} is a deployment of stage ${deployment.stageName}, not ${stage.name}`;
  if (deployment.stageCreatedAt !== stage.createdAt)
    return `deployment ${id} is a deployment of an earlier stage named ${stage.name}, deleted since`;
  if (deployment.status !== 'SUCCEEDED')
    return `deployment ${id} never succeeded (${deployment.status}): only a deployment that succeeded can be restored`;
  return undefined;
}

/** What a deployment shows: its settings with the environment's names, never its values. */
export function deployedSettingsView(settings: StageSettings) {
  const { environment, ...rest } = settings;
  return { ...rest, environmentNames: Object.keys(environment ?? {}).sort() };
}
