import type { Caller } from '../domain/caller';
import { newId } from '../domain/ids';
import { WORKFLOW_OF, type Operation, type OperationType } from '../domain/operation';
import type { Stack } from '../domain/stack';
import {
  DEPLOYING_OPERATIONS,
  newDeployment,
  type Deployment,
  type DeploymentContent,
} from '../domain/deployment';
import { settingsOf, type Stage } from '../domain/stage';
import type { StageOperationInput, StageWorkflowInput } from '../domain/workflow-input';
import { conflict } from '../domain/errors';
import { errorFields, log } from '../log';
import type { ApiDeps } from './deps';

type Deps = Pick<ApiDeps, 'store' | 'workflows'>;

export function newStageOperation(
  requester: Caller,
  stackId: string,
  stageName: string,
  type: OperationType,
  input: object,
): Operation {
  const now = new Date().toISOString();
  return {
    tenantId: requester.tenantId,
    operationId: newId('op'),
    type,
    status: 'PENDING',
    stackId,
    stageName,
    input: { ...input },
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Databases and bastions change a stage that is there: not one being created, deleted or broken.
 * Deleting one is always a way out, also on a FAILED stage (which can then be deleted in turn).
 */
export function assertStageActive(stage: Stage, options: { orFailed?: boolean } = {}): void {
  if (stage.lock) {
    throw conflict(`stage ${stage.name} is busy with operation ${stage.lock.operationId}`, {
      operationId: stage.lock.operationId,
    });
  }
  if (stage.status !== 'ACTIVE' && !(options.orFailed && stage.status === 'FAILED')) {
    throw conflict(
      `stage ${stage.name} is ${stage.status}: databases and bastions can only change on an ACTIVE stage`,
      { status: stage.status },
    );
  }
}

/** What an operation on a stage does before its workflow runs, and how each step is undone. */
export interface StageLaunch {
  stack: Stack;
  stage: Stage;
  operation: Operation;
  /**
   * The workflow's input beside the stage's own (tenant, stack, stage, operation, CloudFormation
   * stack and target): its action, and a database's or bastion's fields.
   */
  input: Pick<StageWorkflowInput, 'action'> & Partial<Omit<StageOperationInput, keyof StageWorkflowInput>>;
  /**
   * How the stage's lock is taken and given back. By default the stage is UPDATING, then back in the
   * status it had; a new stage is written holding its lock, and deleted to give it back.
   */
  lock?: { take(): Promise<unknown>; release(): Promise<unknown> };
  /** What the operation changes besides the stage (a database's or bastion's record), and its undo. */
  record?: { write(): Promise<unknown>; undo(): Promise<unknown> };
  /**
   * What an operation that deploys the stage deploys, where it is not the stage's image and
   * settings (a PATCH's settings, a rollback's image and settings).
   */
  deploys?: Partial<DeploymentContent>;
}

/**
 * The deployment an operation is, if it deploys the stage: the stage's image and settings unless
 * the launch says otherwise, and the commit of the deployment the stage runs when the image is its.
 */
async function deploymentOf(deps: Deps, launch: StageLaunch): Promise<Deployment | undefined> {
  const { stage, operation } = launch;
  if (!DEPLOYING_OPERATIONS.includes(operation.type)) return undefined;
  const imageUri = launch.deploys?.imageUri ?? stage.imageUri;
  const running = stage.deploymentId
    ? await deps.store.deployments.find(stage.tenantId, stage.stackId, stage.deploymentId)
    : undefined;
  const commit = launch.deploys?.commit ?? (running?.imageUri === imageUri ? running.commit : undefined);
  return newDeployment(stage, operation, {
    settings: settingsOf(stage),
    ...launch.deploys,
    imageUri,
    ...(commit ? { commit } : {}),
  });
}

/**
 * The launch of every operation on a stage: take the stage's lock, write what the operation changes,
 * record the operation and start its workflow (named after the operation, so a retried start is a
 * no-op). Whatever fails is undone in reverse: the record put back, the lock given back, and a
 * recorded operation marked FAILED. No stage stays locked by an operation that never started.
 */
export async function launchStageOperation(deps: Deps, launch: StageLaunch): Promise<Operation> {
  const { stack, stage, operation } = launch;
  const lock = launch.lock ?? {
    take: () => deps.store.lockStage(stage, operation.operationId, 'UPDATING'),
    release: () => deps.store.releaseStageLock(stage, operation.operationId, stage.status),
  };
  const deployment = await deploymentOf(deps, launch);
  const steps = [
    launch.record,
    deployment && {
      write: () => deps.store.deployments.put(deployment),
      undo: () => deps.store.deployments.forget(deployment),
    },
  ];
  await lock.take();
  // What is written is undone in reverse, down to the lock, if a later step fails.
  const undo: (() => Promise<unknown>)[] = [lock.release];
  const undoAll = async () => {
    for (const step of undo) await step();
  };
  try {
    for (const step of steps) {
      if (!step) continue;
      await step.write();
      undo.unshift(step.undo);
    }
  } catch (error) {
    await undoAll();
    throw error;
  }
  const input = {
    tenantId: operation.tenantId,
    stackId: stack.stackId,
    stageName: stage.name,
    operationId: operation.operationId,
    operationType: operation.type,
    cfnStackName: stage.cfnStackName,
    target: { roleArn: stack.roleArn, region: stage.region },
    ...(deployment ? { deploymentId: deployment.deploymentId } : {}),
    ...launch.input,
  } satisfies StageWorkflowInput;
  return startOperation(deps, operation, input, undoAll);
}

/**
 * Records the operation and starts its workflow, named after the operation so a retried start is a
 * no-op. If the start fails, the operation is marked FAILED and `undo` puts the stage back.
 */
export async function startOperation(
  deps: Deps,
  operation: Operation,
  input: object,
  undo: () => Promise<void>,
): Promise<Operation> {
  try {
    await deps.store.putOperation(operation);
    const started = await deps.workflows.start(WORKFLOW_OF[operation.type], operation.operationId, input);
    await deps.store.setOperationStarted(operation.tenantId, operation.operationId, started.executionArn);
    return { ...operation, executionArn: started.executionArn };
  } catch (error) {
    log.error('operation could not start', { operationId: operation.operationId, ...errorFields(error) });
    await deps.store.finishOperation(
      operation.tenantId,
      operation.operationId,
      'FAILED',
      'the workflow could not be started',
    );
    await undo();
    throw error;
  }
}
