import { conflict } from './errors';
import type { StackPipeline } from './pipeline';

/**
 * ACTIVE, or being deleted by an operation (DELETING, the stack locked by it), or DELETE_FAILED:
 * its pipeline stack could not be deleted (`lastError` says why); deleting it again is all it takes.
 */
export const STACK_STATUSES = ['ACTIVE', 'DELETING', 'DELETE_FAILED'] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export interface Stack {
  tenantId: string;
  stackId: string;
  name: string;
  repository: string;
  branch: string;
  region: string;
  /** The IAM role in the customer's account the workflows act through. */
  roleArn: string;
  stageCount: number;
  /** The build pipeline in the customer's account (absent on stacks created before pipelines). */
  pipeline?: StackPipeline;
  /** Approval requests go to these addresses and, when `slack`, to the Slack webhook in the stack's secret. */
  notifications?: { emails: string[]; slack: boolean };
  /** Absent on stacks written before deletions were operations: ACTIVE. */
  status?: StackStatus;
  /** The operation that holds the stack (its deletion), as a stage's lock. */
  lock?: { operationId: string; acquiredAt: string };
  lastOperationId?: string;
  /** Why the last deletion failed. */
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Nothing new starts on a stack that is being deleted, or whose deletion failed (a stage, a run, a
 * pipeline retry): a 409 that says so, naming the operation.
 */
export function assertStackActive(stack: Stack): void {
  if (stack.status === 'DELETING')
    throw conflict(
      `the stack is being deleted by operation ${stack.lock?.operationId ?? stack.lastOperationId}`,
      {
        operationId: stack.lock?.operationId ?? stack.lastOperationId,
      },
    );
  if (stack.status === 'DELETE_FAILED')
    throw conflict(
      `the stack’s deletion failed: delete it again (DELETE /v1/stacks/${stack.stackId}): ${stack.lastError ?? 'unknown reason'}`,
      { status: stack.status },
    );
}
