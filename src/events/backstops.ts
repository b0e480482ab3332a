import type { EventBusPort } from '../cloud/ports';
import type { StageOperationInput, StageWorkflowInput } from '../domain/workflow-input';
import type { Engine } from '../domain/database';
import { log } from '../log';
import type { TaskDeps } from '../tasks/deps';
import { recordBastionFailure } from '../tasks/bastion-steps';
import { recordDatabaseFailure } from '../tasks/database-steps';
import { recordPipelineFailure, recordRunFailure, type RunRef } from '../tasks/pipeline-steps';
import { recordStackDeletionFailure } from '../tasks/stack-steps';
import { recordFailure } from '../tasks/stage-steps';
import { pipelineCfnStackNameOf, TERMINAL_RUN_STATUSES } from '../domain/pipeline';

/** EventBridge's "Step Functions Execution Status Change" event. */
export interface ExecutionStatusChange {
  detail: {
    executionArn: string;
    status: string;
    input: string | null;
    error?: string | null;
    cause?: string | null;
  };
}

const ABNORMAL = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * The backstop for what a workflow cannot catch itself: a States.Runtime error, an execution
 * timeout, a manual stop. If the operation has not ended, it is marked FAILED, its stage
 * unlocked, and the failure announced, so no stage stays locked.
 */
export async function onExecutionEnded(
  event: ExecutionStatusChange,
  deps: Pick<TaskDeps, 'store'> & Partial<Pick<TaskDeps, 'databases' | 'stacks'>> & { bus: EventBusPort },
): Promise<void> {
  const { status, input, error, cause } = event.detail;
  if (!ABNORMAL.includes(status) || !input) return;
  const workflowInput = JSON.parse(input) as Partial<StageWorkflowInput>;
  const { tenantId, operationId, stackId, stageName } = workflowInput;
  if (!tenantId || !operationId || !stackId) return;
  const operation = await deps.store.getOperation(tenantId, operationId);
  if (!operation || operation.status === 'SUCCEEDED' || operation.status === 'FAILED') return;
  const failure = {
    Error: error ?? status,
    Cause: `the workflow ended ${status}: ${cause ?? error ?? 'no cause given'}`,
  };
  // An operation that deploys the stage: its deployment ended too (as its failure path announces it).
  const deploymentEnded = (ended: { reason: string; deploymentStatus: string }) =>
    workflowInput.deploymentId
      ? [
          {
            detailType: 'Deployment Status Change',
            detail: {
              tenantId,
              stackId,
              stageName,
              deploymentId: workflowInput.deploymentId,
              operationId,
              operationType: operation.type,
              status: ended.deploymentStatus,
              reason: ended.reason,
            },
          },
        ]
      : [];

  // A stack's deletion: the stack DELETE_FAILED, to be deleted again.
  if (operation.type === 'DELETE_STACK') {
    const { reason } = await recordStackDeletionFailure(
      { tenantId, stackId, operationId, error: failure },
      deps,
    );
    log.warn('operation ended by its execution', { operationId, status });
    await deps.bus.publish([
      {
        detailType: 'Operation Status Change',
        detail: { tenantId, operationId, stackId, type: operation.type, status: 'FAILED', error: reason },
      },
    ]);
    return;
  }
  if (!stageName) return;

  // A database or bastion workflow: its own failure recording puts the stage back as it was.
  const extra = workflowInput as Partial<StageOperationInput>;
  if (extra.stageStatusBefore && extra.target && deps.databases && deps.stacks) {
    const ids = { tenantId, operationId, stackId, stageName };
    const common = { ...ids, stageStatusBefore: extra.stageStatusBefore, error: failure };
    const ended = extra.engine
      ? await recordDatabaseFailure(
          { ...common, engine: extra.engine as Engine, operationType: operation.type, target: extra.target },
          { store: deps.store, databases: deps.databases, stacks: deps.stacks },
        )
      : await recordBastionFailure(common, { store: deps.store, databases: deps.databases });
    const { reason } = ended;
    log.warn('operation ended by its execution', { operationId, status });
    await deps.bus.publish([
      {
        detailType: 'Operation Status Change',
        detail: { ...ids, type: operation.type, status: 'FAILED', error: reason },
      },
      ...(extra.engine
        ? [
            {
              detailType: 'Database Status Change',
              detail: { ...ids, engine: extra.engine, status: 'FAILED', error: reason },
            },
          ]
        : []),
      ...deploymentEnded(ended),
    ]);
    return;
  }

  const ended = await recordFailure(
    {
      tenantId,
      operationId,
      stackId,
      stageName,
      error: failure,
    },
    deps,
  );
  const { reason, stageStatus } = ended;
  log.warn('operation ended by its execution', { operationId, status });
  const ids = { tenantId, operationId, stackId, stageName };
  await deps.bus.publish([
    {
      detailType: 'Operation Status Change',
      detail: { ...ids, type: operation.type, status: 'FAILED', error: reason },
    },
    { detailType: 'Stage Status Change', detail: { ...ids, status: stageStatus, error: reason } },
    ...deploymentEnded(ended),
  ]);
}

/**
 * The backstop for runs and pipeline set-ups whose execution ended without reaching its own failure
 * path (a States.Runtime error, a timeout, a manual stop): the run is marked FAILED (its stage
 * unlocked if its deploy never started), or the pipeline FAILED, and the failure announced.
 */
export async function onPipelineExecutionEnded(
  event: { detail: { status: string; input: string | null; error?: string | null; cause?: string | null } },
  deps: Pick<TaskDeps, 'store' | 'pipelines'> & { bus: EventBusPort },
): Promise<void> {
  const { status, input, error, cause } = event.detail;
  if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(status) || !input) return;
  const parsed = JSON.parse(input) as Partial<RunRef & { cfnStackName: string }>;
  const { tenantId, stackId } = parsed;
  if (!tenantId || !stackId) return;
  const why = {
    Error: error ?? status,
    Cause: `the workflow ended ${status}: ${cause ?? error ?? 'no cause given'}`,
  };
  if (parsed.runId) {
    const run = await deps.pipelines.getRun(tenantId, parsed.runId);
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return;
    const current = run.stageOrder.find((name) =>
      ['DEPLOYING', 'WAITING_FOR_APPROVAL'].includes(run.stages[name]!.status),
    );
    const operationId = current ? run.stages[current]!.operationId : undefined;
    const { reason } = await recordRunFailure(
      {
        state: {
          tenantId,
          stackId,
          runId: parsed.runId,
          error: why,
          ...(current ? { next: { stageName: current } } : {}),
          ...(operationId ? { deploy: { operationId } } : {}),
        },
      },
      deps,
    );
    await deps.bus.publish([
      {
        detailType: 'Pipeline Run Status Change',
        detail: { tenantId, stackId, runId: parsed.runId, status: 'FAILED', error: reason },
      },
    ]);
  } else if (parsed.cfnStackName === pipelineCfnStackNameOf(stackId)) {
    const stack = await deps.store.getStack(tenantId, stackId);
    if (stack?.pipeline?.status !== 'CREATING') return;
    const { reason } = await recordPipelineFailure({ tenantId, stackId, error: why }, deps);
    await deps.bus.publish([
      {
        detailType: 'Pipeline Status Change',
        detail: { tenantId, stackId, status: 'FAILED', error: reason },
      },
    ]);
  }
}
