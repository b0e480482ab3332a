import type { Engine } from './database';
import type { OperationType } from './operation';
import type { StageStatus } from './stage';

/**
 * What the workflows receive, from the API that starts them to the last task they call: each task's
 * input is a part of these (src/tasks), and the state machines (src/workflows) read them by typed
 * paths. Names, ids and regions only: credentials and secret values never travel in execution input.
 */
export interface StageWorkflowInput {
  tenantId: string;
  stackId: string;
  stageName: string;
  operationId: string;
  operationType: OperationType;
  /** EXECUTE_CHANGE_SET: a run's deploy planned before its approval executes `changeSetName` (issue 13 §3). */
  action: 'CREATE' | 'UPDATE' | 'DELETE' | 'EXECUTE_CHANGE_SET';
  cfnStackName: string;
  target: { roleArn: string; region: string };
  /** The deployment it is, when it creates or updates the stage's stack (src/domain/deployment.ts). */
  deploymentId?: string;
  changeSetName?: string;
}

/** What the database and bastion workflows receive on top of a stage workflow's input. */
export interface StageOperationInput extends StageWorkflowInput {
  /** The stage's status before the operation, to which a failure returns it. */
  stageStatusBefore: StageStatus;
  engine?: Engine;
  database?: { action: 'CREATE' | 'UPDATE' | 'DELETE' | 'NONE'; cfnStackName: string };
  bastion?: { cfnStackName: string };
}

/** What the create-pipeline workflow receives. */
export interface PipelineWorkflowInput {
  tenantId: string;
  stackId: string;
  /** The stack waits and CloudFormation request tokens are keyed by it. */
  operationId: string;
  cfnStackName: string;
  action: 'CREATE';
  target: { roleArn: string; region: string };
}

/** What the delete-stack workflow receives: the stack's pipeline stack is the one it deletes. */
export interface StackWorkflowInput {
  tenantId: string;
  stackId: string;
  operationId: string;
  operationType: 'DELETE_STACK';
  cfnStackName: string;
  target: { roleArn: string; region: string };
}

/** What the pipeline-run workflow receives. */
export interface RunWorkflowInput {
  tenantId: string;
  stackId: string;
  runId: string;
  pipelineName: string;
  target: { roleArn: string; region: string };
  approvalTimeoutSeconds: number;
}
