import type { WorkflowName } from './workflows';

export const OPERATION_TYPES = ['CREATE_STAGE', 'UPDATE_STAGE', 'DELETE_STAGE'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const OPERATION_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export interface Operation {
  tenantId: string;
  operationId: string;
  type: OperationType;
  status: OperationStatus;
  stackId: string;
  stageName: string;
  input: Record<string, unknown>;
  executionArn?: string;
  error?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
}

/** Which state machine runs each operation type. */
export const WORKFLOW_OF: Record<OperationType, WorkflowName> = {
  CREATE_STAGE: 'deployStage',
  UPDATE_STAGE: 'deployStage',
  DELETE_STAGE: 'deleteStage',
};
