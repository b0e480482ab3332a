import type { WorkflowName } from './workflows';

export const OPERATION_TYPES = [
  'CREATE_STAGE',
  'UPDATE_STAGE',
  'DELETE_STAGE',
  'ADD_DATABASE',
  'UPDATE_DATABASE',
  'DELETE_DATABASE',
  'CHANGE_DATABASE_PASSWORD',
  'PROMOTE_DATABASE',
  'CREATE_READ_REPLICA',
  'PROVISION_BASTION',
  'DELETE_BASTION',
  'ROLLBACK_STAGE',
  // A stack's own operations (src/app/stacks.ts): they have no stage
  'DELETE_STACK',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const OPERATION_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export interface Operation {
  tenantId: string;
  operationId: string;
  type: OperationType;
  status: OperationStatus;
  stackId: string;
  /** The stage the operation changes; a stack's own operations (DELETE_STACK) have none. */
  stageName?: string;
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
  // Databases, replicas and bastions (src/app/databases.ts, src/app/bastions.ts)
  ADD_DATABASE: 'addDatabase',
  UPDATE_DATABASE: 'addDatabase',
  CHANGE_DATABASE_PASSWORD: 'addDatabase',
  PROMOTE_DATABASE: 'addDatabase',
  DELETE_DATABASE: 'deleteDatabase',
  CREATE_READ_REPLICA: 'createReadReplica',
  PROVISION_BASTION: 'provisionBastion',
  DELETE_BASTION: 'deleteBastion',
  // Deployment history: a rollback redeploys a past deployment (src/app/deployments.ts)
  ROLLBACK_STAGE: 'deployStage',
  DELETE_STACK: 'deleteStack',
};
