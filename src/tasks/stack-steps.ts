import { forgetWebhookSecret } from '../app/pipelines';
import type { StackWorkflowInput } from '../domain/workflow-input';
import type { TaskDeps } from './deps';
import { failureReason } from './stage-steps';

/** The stack a delete-stack task works on. */
export type StackOperationRef = Pick<StackWorkflowInput, 'tenantId' | 'stackId' | 'operationId'>;

/**
 * The stack's pipeline stack is gone: its webhook secret, its name and its record go too, in that
 * order, so a retry after a failure half-way finds the stack still there (DELETE_FAILED) and ends the
 * job. Its runs and operations stay, as history (GET /v1/operations/{id} still answers).
 */
export async function removeStack(
  input: StackOperationRef,
  deps: Pick<TaskDeps, 'store' | 'platformSecrets' | 'pipelineSettings'>,
) {
  const stack = await deps.store.getStack(input.tenantId, input.stackId);
  if (!stack) return {};
  await forgetWebhookSecret(deps, stack.stackId);
  await deps.store.releaseStackName(stack.tenantId, stack.name, stack.stackId);
  await deps.store.removeStack(stack.tenantId, stack.stackId, input.operationId);
  return {};
}

/**
 * The deletion failed: the operation FAILED with the reason (CloudFormation's, for a DELETE_FAILED
 * pipeline stack), the stack DELETE_FAILED with it, unlocked, so that deleting it again retries.
 */
export async function recordStackDeletionFailure(
  input: StackOperationRef & { error?: { Error?: string; Cause?: string } },
  deps: Pick<TaskDeps, 'store'>,
) {
  const reason = failureReason(input.error).slice(0, 2000);
  await deps.store.finishOperation(input.tenantId, input.operationId, 'FAILED', reason);
  await deps.store.releaseStackLock(
    input.tenantId,
    input.stackId,
    input.operationId,
    'DELETE_FAILED',
    reason,
  );
  return { reason };
}
