import { isDeepStrictEqual } from 'node:util';
import { targetOf } from '../app/accounts';
import { databaseWiring } from '../domain/database';
import { platformEnvironment, serviceEnvironment, serviceEnvironmentNames } from '../domain/environment';
import { deploymentIdOf, type DeploymentEnd } from '../domain/deployment';
import { imageFor, settingsFor, type Stage, type StageStatus } from '../domain/stage';
import { renderStageTemplate } from '../templates/stage';
import type { StageRef, TaskDeps } from './deps';

type Deps = Pick<TaskDeps, 'store'>;

/**
 * Renders the stage's CloudFormation template from its databases and the settings the operation
 * deploys: its pending change (a PATCH), or else the stage's settings.
 */
export function renderStage(ref: StageRef, deps: Pick<TaskDeps, 'store' | 'databases'>) {
  return renderStageWith(ref, deps);
}

/**
 * renderStage, with the image a run will deploy in place of the stage's: how a deploy is planned
 * before the run locks the stage (and records that image on it), rendering exactly what the deploy will.
 */
export async function renderStageWith(
  ref: StageRef,
  deps: Pick<TaskDeps, 'store' | 'databases'>,
  imageUri?: string,
) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const found = await deps.store.requireStage(ref.tenantId, ref.stackId, ref.stageName);
  const stage = {
    ...found,
    ...settingsFor(found, ref.operationId),
    imageUri: imageUri ?? imageFor(found, ref.operationId),
  };
  const wiring = databaseWiring(await deps.databases.allDatabases(ref));
  const environment = serviceEnvironment(
    stage.environment,
    platformEnvironment({
      stackId: stack.stackId,
      stageName: stage.name,
      port: stage.port,
      deploymentId: ref.operationId,
      databases: wiring.environment,
    }),
  );
  const template = renderStageTemplate({
    stackId: stack.stackId,
    stackName: stack.name,
    stageName: stage.name,
    region: stage.region,
    port: stage.port,
    loadBalancer: stage.loadBalancer,
    environment,
    origins: stage.origins,
    imageUri: stage.imageUri,
    deploymentId: ref.operationId,
    secrets: wiring.secrets,
    secretArns: wiring.secretArns,
    scaling: stage.scaling,
    // A deploy that does not change `scaling` leaves the running count to the autoscaler; the
    // first one, and one that changes `scaling`, sets it to desiredCount.
    keepTaskCount: Object.keys(found.outputs).length > 0 && isDeepStrictEqual(found.scaling, stage.scaling),
    healthCheckPath: stage.healthCheckPath,
    rollbackAlarms: stage.rollbackAlarms,
  });
  return {
    templateBody: JSON.stringify(template),
    tags: {
      'tinystacks:stack-id': stack.stackId,
      'tinystacks:stack': stack.name,
      'tinystacks:stage': stage.name,
    },
    serviceEnvironmentNames: serviceEnvironmentNames(environment, wiring.secrets),
  };
}

export interface StageReady extends StageRef {
  outputs: Record<string, string>;
  serviceEnvironmentNames: string[];
}

/** The deployment an operation of the stage is (none for one that does not deploy it). */
const deploymentRef = (ref: StageRef) => ({
  tenantId: ref.tenantId,
  stackId: ref.stackId,
  deploymentId: deploymentIdOf(ref.operationId),
});

/**
 * Marks the operation's deployment SUCCEEDED, then the stage ACTIVE with its outputs, the settings
 * and image the operation deployed, and the deployment it runs, and releases its lock, in one write.
 */
export async function recordStageReady(input: StageReady, deps: Deps) {
  const stage = await deps.store.requireStage(input.tenantId, input.stackId, input.stageName);
  const pending = stage.pendingChange?.operationId === input.operationId ? stage.pendingChange : undefined;
  const deployment = deploymentRef(input);
  // Ended by a try of this task before, or not a deployment at all (recorded before there were any).
  const succeeded =
    (await deps.store.deployments.end(deployment, 'SUCCEEDED')) ||
    (await deps.store.deployments.find(deployment.tenantId, deployment.stackId, deployment.deploymentId))
      ?.status === 'SUCCEEDED';
  await deps.store.setStageOutputs(stage, input.operationId, input.outputs, input.serviceEnvironmentNames, {
    ...(pending ? { settings: pending.settings, imageUri: pending.imageUri } : {}),
    ...(succeeded ? { deploymentId: deployment.deploymentId } : {}),
  });
  return {};
}

export async function removeStage(ref: StageRef, deps: Deps) {
  await deps.store.removeStage(
    { tenantId: ref.tenantId, stackId: ref.stackId, name: ref.stageName },
    ref.operationId,
  );
  return {};
}

export interface FailureInput extends StageRef {
  /** What a Catch put at $.error: Step Functions' { Error, Cause }. */
  error?: { Error?: string; Cause?: string };
}

/** Lambda errors arrive with a JSON Cause; the reason a person needs is its errorMessage. */
export function failureReason(error: FailureInput['error']): string {
  const cause = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the reason
  }
  return cause || error?.Error || 'unknown error';
}

/** CloudFormation statuses in which a stack runs a complete deployment: a failed change left it as it was. */
export const DEPLOYED_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * Whether the stage still runs what it ran before (it was deployed once, and its stack is in a
 * complete state: a failed update rolled back). Without a stack port, it is not known: no.
 */
export async function stillDeployed(
  stage: Stage | undefined,
  deps: Pick<TaskDeps, 'store'> & Partial<Pick<TaskDeps, 'stacks'>>,
): Promise<boolean> {
  if (!stage || Object.keys(stage.outputs).length === 0 || !deps.stacks) return false;
  const stack = await deps.store.requireStack(stage.tenantId, stage.stackId);
  const target = await targetOf(deps, stage.tenantId, { roleArn: stack.roleArn, region: stage.region });
  const described = await deps.stacks.describe(target, stage.cfnStackName);
  return described !== undefined && DEPLOYED_STATUSES.includes(described.status);
}

/**
 * The failure path of a database's or a bastion's operation, the mirror of its launch
 * (src/app/stage-operations.ts): the record put back (`putBack`), the stage back in the status it
 * had before, unlocked, then the operation FAILED with its reason.
 */
export async function failStageOperation(
  input: FailureInput & { stageStatusBefore?: StageStatus },
  deps: Pick<TaskDeps, 'store'>,
  putBack: (reason: string) => Promise<unknown>,
) {
  const reason = failureReason(input.error).slice(0, 2000);
  const deploymentStatus = await endDeployment(input, reason, deps);
  await putBack(reason);
  const stageStatus = input.stageStatusBefore ?? 'ACTIVE';
  await deps.store.releaseStageLock(
    { tenantId: input.tenantId, stackId: input.stackId, name: input.stageName },
    input.operationId,
    stageStatus,
  );
  // Last: a client waiting on the operation then reads the stage and its record as they end.
  await deps.store.finishOperation(input.tenantId, input.operationId, 'FAILED', reason);
  return { reason, stageStatus, deploymentStatus };
}

/**
 * The operation's deployment, if it is one, ends FAILED, or ROLLED_BACK when CloudFormation undid
 * the update of the stage's stack (ExplainStackFailure names that StackRolledBack): either way the
 * stage runs the deployment before it.
 */
async function endDeployment(input: FailureInput, reason: string, deps: Pick<TaskDeps, 'store'>) {
  const status: DeploymentEnd = input.error?.Error === 'StackRolledBack' ? 'ROLLED_BACK' : 'FAILED';
  await deps.store.deployments.end(deploymentRef(input), status, reason);
  return status;
}

/**
 * Records why the operation failed, on its deployment, the operation and the stage, and unlocks the stage. A
 * settings change that failed is kept apart (`failedChange`): the stage's settings stay what is
 * deployed. A stage whose failed change rolled back still runs its previous deployment: it stays
 * ACTIVE (with the error); one that has nothing deployed is FAILED.
 */
export async function recordFailure(input: FailureInput, deps: Deps & Partial<Pick<TaskDeps, 'stacks'>>) {
  const reason = failureReason(input.error).slice(0, 2000);
  const stage = { tenantId: input.tenantId, stackId: input.stackId, name: input.stageName };
  const deploymentStatus = await endDeployment(input, reason, deps);
  await deps.store.failPendingChange(stage, input.operationId, reason);
  const current = await deps.store.getStage(input.tenantId, input.stackId, input.stageName);
  const stageStatus: StageStatus = (await stillDeployed(current, deps)) ? 'ACTIVE' : 'FAILED';
  await deps.store.releaseStageLock(stage, input.operationId, stageStatus, reason);
  // Last, as on success: a client waiting on the operation then reads the stage as it ends.
  await deps.store.finishOperation(input.tenantId, input.operationId, 'FAILED', reason);
  return { reason, stageStatus, deploymentStatus };
}
