import type { EventBusPort } from '../cloud/ports';
import type { StageWorkflowInput } from '../app/stages';
import { log } from '../log';
import type { TaskDeps } from './deps';
import { recordFailure } from './stage-steps';

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
  deps: Pick<TaskDeps, 'store'> & { bus: EventBusPort },
): Promise<void> {
  const { status, input, error, cause } = event.detail;
  if (!ABNORMAL.includes(status) || !input) return;
  const workflowInput = JSON.parse(input) as Partial<StageWorkflowInput>;
  const { tenantId, operationId, stackId, stageName } = workflowInput;
  if (!tenantId || !operationId || !stackId || !stageName) return;
  const operation = await deps.store.getOperation(tenantId, operationId);
  if (!operation || operation.status === 'SUCCEEDED' || operation.status === 'FAILED') return;

  const { reason, stageStatus } = await recordFailure(
    {
      tenantId,
      operationId,
      stackId,
      stageName,
      error: {
        Error: error ?? status,
        Cause: `the workflow ended ${status}: ${cause ?? error ?? 'no cause given'}`,
      },
    },
    deps,
  );
  log.warn('operation ended by its execution', { operationId, status });
  const ids = { tenantId, operationId, stackId, stageName };
  await deps.bus.publish([
    {
      detailType: 'Operation Status Change',
      detail: { ...ids, type: operation.type, status: 'FAILED', error: reason },
    },
    { detailType: 'Stage Status Change', detail: { ...ids, status: stageStatus, error: reason } },
  ]);
}
