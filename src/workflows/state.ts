import type { Engine } from '../domain/database';
import type {
  PipelineWorkflowInput,
  RunWorkflowInput,
  StageOperationInput,
  StackWorkflowInput,
  StageWorkflowInput,
} from '../domain/workflow-input';
import type { TaskOutput } from '../tasks/registry';

/**
 * What each workflow's state holds as it runs: its input (src/domain/workflow-input.ts), then what
 * its steps keep beside it (each at its ResultPath). The paths the definitions read are typed by these.
 */

/** What a Catch puts at its ResultPath: Step Functions' error name and cause. */
export interface CaughtError {
  Error: string;
  Cause: string;
}

/** A CloudFormation stack waited on and read back (RegisterStackWait → … → DescribeStack). */
interface StackSteps {
  stack: TaskOutput<'DescribeStack'>;
  /** What resumed the wait (CloudFormation's outcome, or the timeout's error): only ever re-read. */
  stackOutcome: unknown;
  deletion: TaskOutput<'DeleteStack'>;
  error: CaughtError;
}

export type StageState = StageWorkflowInput &
  StackSteps & {
    rendered: TaskOutput<'RenderStageTemplate'>;
    failure: TaskOutput<'RecordFailure'>;
  };

export type DatabaseState = StageOperationInput &
  StackSteps & {
    engine: Engine;
    database: NonNullable<StageOperationInput['database']>;
    rendered: TaskOutput<'RenderStageTemplate'>;
    databaseTemplate: TaskOutput<'RenderDatabaseTemplate'>;
    databaseStack: TaskOutput<'DescribeStack'>;
    databaseStackOutcome: unknown;
    databaseDeletion: TaskOutput<'DeleteStack'>;
    failure: TaskOutput<'RecordDatabaseFailure'>;
  };

export type BastionState = StageOperationInput &
  StackSteps & {
    bastion: NonNullable<StageOperationInput['bastion']>;
    bastionTemplate: TaskOutput<'RenderBastionTemplate'>;
    failure: TaskOutput<'RecordBastionFailure'>;
  };

export type PipelineState = PipelineWorkflowInput &
  StackSteps & {
    rendered: TaskOutput<'RenderPipelineTemplate'>;
    failure: TaskOutput<'RecordPipelineFailure'>;
  };

export type StackOperationState = StackWorkflowInput &
  StackSteps & {
    failure: TaskOutput<'RecordStackDeletionFailure'>;
  };

/** Why a run stopped on purpose (rejected, expired, superseded): what its record and events say. */
interface RunStop {
  approval: 'REJECTED' | 'SUPERSEDED' | 'EXPIRED';
  runStatus: 'STOPPED' | 'SUPERSEDED';
  stageStatus: 'REJECTED' | 'SUPERSEDED' | 'EXPIRED';
  reason: string;
}

export type RunState = RunWorkflowInput & {
  built: TaskOutput<'FindBuiltImage'>;
  build: TaskOutput<'StartBuild'>;
  buildOutcome: unknown;
  checked: TaskOutput<'CheckBuild'>;
  next: TaskOutput<'PickNextStage'>;
  approval: TaskOutput<'CreateApproval'>;
  /** What the approvals app resumed WaitForApproval with (src/app/approvals.ts, settle). */
  decision: { decidedBy: string; approvedBy: string[] };
  deploy: TaskOutput<'PrepareStageDeploy'>;
  planning: TaskOutput<'PlanStageDeploy'>;
  planned: TaskOutput<'DescribeStageDeployPlan'>;
  planCheck: TaskOutput<'CheckStageDeployPlan'>;
  replanError: CaughtError;
  window: TaskOutput<'CheckDeployWindow'>;
  stop: RunStop;
  stopError: CaughtError;
  notifyError: CaughtError;
  discardError: CaughtError;
  error: CaughtError;
  failure: TaskOutput<'RecordRunFailure'>;
};
