import type { Caller } from '../domain/caller';
import { newId } from '../domain/ids';
import { WORKFLOW_OF, type Operation, type OperationType } from '../domain/operation';
import type { Stack } from '../domain/stack';
import type { Stage } from '../domain/stage';
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

/**
 * Takes the stage's lock for an operation, then writes what the operation changes (a database or
 * bastion record). If that write fails the lock is released: no stage stays locked by an
 * operation that never started.
 */
export async function lockStageAndRecord(
  deps: Pick<Deps, 'store'>,
  stage: Stage,
  operationId: string,
  record: () => Promise<unknown>,
): Promise<void> {
  await deps.store.lockStage(stage, operationId, 'UPDATING');
  try {
    await record();
  } catch (error) {
    await deps.store.releaseStageLock(stage, operationId, stage.status);
    throw error;
  }
}

/**
 * Records the operation and starts its workflow, named after the operation so a retried start is
 * a no-op. The stage is already locked by the caller; if the start fails, the operation is marked
 * FAILED and `undo` puts things back.
 */
export async function launchStageOperation(
  deps: Deps,
  stack: Stack,
  stage: Stage,
  operation: Operation,
  extra: Omit<StageOperationInput, keyof StageWorkflowInput>,
  undo: () => Promise<void>,
): Promise<Operation> {
  const input: StageOperationInput = {
    tenantId: operation.tenantId,
    stackId: stack.stackId,
    stageName: stage.name,
    operationId: operation.operationId,
    operationType: operation.type,
    action: 'UPDATE',
    cfnStackName: stage.cfnStackName,
    target: { roleArn: stack.roleArn, region: stage.region },
    ...extra,
  };
  return startOperation(deps, operation, input, undo);
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
