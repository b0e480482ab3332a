/** The stacks the simulated CloudFormation keeps (and writes to its state files), and its failure rules. */
import type {
  Capability,
  Change,
  ChangeSetStatus,
  ExecutionStatus,
  OnFailure,
  Output,
  StackEvent,
  StackStatus,
  Tag,
} from '@aws-sdk/client-cloudformation';
import type { SimulatedResource } from './physical';
import type { Template } from './template';

/** Makes resources fail on purpose, for tests of the failure paths. */
export interface FailureRule {
  /** Exact stack name, or a glob where `*` matches anything. */
  stackName: string;
  /** The resource to fail; without it, the first resource the operation touches. */
  logicalId?: string;
  /** Default: 'Simulated failure requested for <logicalId>'. */
  reason?: string;
  /** Remove the rule after it fired once, so a retry succeeds. */
  once?: boolean;
  /**
   * Which operation fails: by default a create or an update; 'delete' for DeleteStack; 'rollback'
   * to fail the rollback itself (ROLLBACK_FAILED, or UPDATE_ROLLBACK_FAILED for updates).
   */
  operation?: 'create' | 'update' | 'delete' | 'rollback';
}

export interface LiveResource extends SimulatedResource {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
  deletionPolicy?: string;
}

export interface Deployment {
  template: Template;
  parameters: Record<string, string>;
  resources: Map<string, LiveResource>;
  outputs: Output[];
}

/** What an update changed, so that a rollback (or a continued rollback) can undo it. */
export interface UpdateUndo {
  /** The previous versions of the resources the update modified. */
  updated: LiveResource[];
  /** Resources the update created, deleted again by the rollback. */
  created: LiveResource[];
}

/** What a stack in an `*_IN_PROGRESS` status is doing: kept, so that a restart can finish it. */
export type PendingWork =
  | { op: 'create'; onFailure: OnFailure }
  | { op: 'update'; next: Pick<Deployment, 'template' | 'parameters'> }
  | { op: 'delete'; retain: string[] }
  | { op: 'rollback'; undo: UpdateUndo };

/**
 * A change set: the update CreateChangeSet planned, kept with its stack (and written with it) until
 * it is deleted, executed over, or its stack deleted.
 */
export interface ChangeSetRecord {
  changeSetId: string;
  changeSetName: string;
  description?: string;
  status: ChangeSetStatus;
  executionStatus: ExecutionStatus;
  statusReason?: string;
  /** ISO 8601, as written to the stack's document. */
  creationTime: string;
  clientToken?: string;
  /** What CreateChangeSet found, shown once its creation completes. */
  outcome: { changes: Change[] } | { failure: string };
  /** What executing it deploys: what UpdateStack would, given the same input. */
  next: Pick<Deployment, 'template' | 'parameters'>;
  tags: Tag[];
  capabilities: Capability[];
  notificationARNs: string[];
  roleArn?: string;
  /** The ClientRequestToken it was executed with: a retry carrying it succeeds. */
  executeToken?: string;
}

export interface StackRecord {
  stackId: string;
  stackName: string;
  region: string;
  status: StackStatus;
  reason?: string;
  creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  deployed: Deployment;
  capabilities: Capability[];
  tags: Tag[];
  notificationARNs: string[];
  disableRollback: boolean;
  enableTerminationProtection: boolean;
  roleArn?: string;
  clientRequestToken?: string;
  events: StackEvent[];
  /** Set while in UPDATE_ROLLBACK_FAILED: what ContinueUpdateRollback still has to undo. */
  pendingUndo?: UpdateUndo;
  pending?: PendingWork;
  /** Absent in stacks written before change sets existed. */
  changeSets?: ChangeSetRecord[];
  /** The change set the stack's latest update executed (DescribeStacks' ChangeSetId); none after UpdateStack. */
  changeSetId?: string;
}
