import type { Permission } from '../deploy/permissions';
import type { TaskUnit } from '../deploy/units';
import {
  continueUpdateRollback,
  createStack,
  deleteStack,
  describeStack,
  executeChangeSet,
  explainStackFailure,
  updateStack,
} from './stack-calls';
import {
  checkStageDeployPlan,
  describeStageDeployPlan,
  discardStageDeployPlan,
  planStageDeploy,
  releaseStaleStageDeploy,
} from './deploy-plans';
import { recordBastionFailure, recordBastionReady, removeBastion, renderBastion } from './bastion-steps';
import {
  recordDatabaseFailure,
  recordDatabaseReady,
  recordReplicaSource,
  removeDatabase,
  renderDatabase,
} from './database-steps';
import {
  beginPromotion,
  checkBuild,
  createApproval,
  findBuiltImage,
  pickNextStage,
  prepareStageDeploy,
  recordPipelineFailure,
  recordPipelineReady,
  recordRunEnd,
  recordRunFailure,
  recordStageDeployed,
  renderPipeline,
  sendApprovalRequest,
  startBuild,
  waitForApproval,
  waitForBuild,
} from './pipeline-steps';
import { waitForStack } from './stack-waits';
import { checkDeployWindow, waitForWindow } from './window-steps';
import { recordStackDeletionFailure, removeStack } from './stack-steps';
import { recordFailure, recordStageReady, removeStage, renderStage } from './stage-steps';

/** A task function with its unit and permissions. */
function task<U extends TaskUnit, I, O, D>(
  unit: U,
  run: (input: I, deps: D) => Promise<O>,
  permissions: Permission[],
) {
  return { unit, run, permissions };
}

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * The task functions the state machines call, each with the unit (function) it runs in and what it
 * may do on AWS. A Lambda Task state calls its task's unit with the task's name in the payload
 * (src/workflows/asl.ts, `lambdaTask`); the embedded runtime calls the same units.
 */
// One line per task, so additions merge cleanly.
// prettier-ignore
export const taskFunctions = {
  RenderStageTemplate: task('tasks', renderStage, ['table:read', 'table:query']),
  CreateStack: task('customerTasks', createStack, ['table:read', 'customerAccounts:use']),
  UpdateStack: task('customerTasks', updateStack, ['table:read', 'customerAccounts:use']),
  DeleteStack: task('customerTasks', deleteStack, ['table:read', 'customerAccounts:use']),
  ContinueUpdateRollback: task('customerTasks', continueUpdateRollback, ['table:read', 'customerAccounts:use']),
  DescribeStack: task('customerTasks', describeStack, ['table:read', 'customerAccounts:use']),
  ExplainStackFailure: task('customerTasks', explainStackFailure, ['table:read', 'customerAccounts:use']),
  WaitForStack: task('tasks', waitForStack, ['stackWaits:update', 'workflows:resume']),
  RecordStageReady: task('tasks', recordStageReady, ['table:read', 'table:update']),
  // Asks CloudFormation whether the stage still runs its last deployment.
  RecordFailure: task('customerTasks', recordFailure, ['table:read', 'table:update', 'customerAccounts:use']),
  RemoveStage: task('tasks', removeStage, ['table:delete', 'table:update']),
  RenderDatabaseTemplate: task('tasks', renderDatabase, ['table:read']),
  RecordReplicaSource: task('tasks', recordReplicaSource, ['table:read', 'table:update']),
  RecordDatabaseReady: task('tasks', recordDatabaseReady, ['table:read', 'table:update']),
  RecordDatabaseFailure: task('customerTasks', recordDatabaseFailure, ['table:read', 'table:update', 'table:delete', 'customerAccounts:use']),
  RemoveDatabase: task('tasks', removeDatabase, ['table:delete']),
  RenderBastionTemplate: task('tasks', renderBastion, ['table:read']),
  RecordBastionReady: task('tasks', recordBastionReady, ['table:update']),
  RecordBastionFailure: task('tasks', recordBastionFailure, ['table:read', 'table:update', 'table:delete']),
  RemoveBastion: task('tasks', removeBastion, ['table:delete']),
  RenderPipelineTemplate: task('tasks', renderPipeline, ['table:read']),
  RecordPipelineReady: task('tasks', recordPipelineReady, ['table:update']),
  RecordPipelineFailure: task('tasks', recordPipelineFailure, ['table:update']),
  FindBuiltImage: task('customerTasks', findBuiltImage, ['table:read', 'customerAccounts:use']),
  StartBuild: task('customerTasks', startBuild, ['table:read', 'table:put', 'table:update', 'customerAccounts:use']),
  WaitForBuild: task('tasks', waitForBuild, ['table:update', 'workflows:resume']),
  CheckBuild: task('customerTasks', checkBuild, ['table:read', 'customerAccounts:use']),
  BeginPromotion: task('tasks', beginPromotion, ['table:update', 'index:query']),
  PickNextStage: task('tasks', pickNextStage, ['table:read', 'table:update']),
  CreateApproval: task('tasks', createApproval, ['table:read', 'table:put', 'table:update', 'index:query', 'workflows:resume']),
  SendApprovalRequest: task('approvalRequests', sendApprovalRequest, ['table:read', 'platformSecrets:read', 'email:send']),
  WaitForApproval: task('tasks', waitForApproval, ['table:read', 'table:update']),
  CheckDeployWindow: task('tasks', checkDeployWindow, ['table:read', 'table:put', 'table:update', 'workflows:resume']),
  WaitForWindow: task('tasks', waitForWindow, ['table:update', 'workflows:resume']),
  PrepareStageDeploy: task('tasks', prepareStageDeploy, ['table:read', 'table:put', 'table:update']),
  RecordStageDeployed: task('tasks', recordStageDeployed, ['table:update']),
  RecordRunEnd: task('tasks', recordRunEnd, ['table:read', 'table:update']),
  RecordRunFailure: task('tasks', recordRunFailure, ['table:read', 'table:update']),
  RemoveStack: task('tasks', removeStack, ['table:read', 'table:delete', 'platformSecrets:delete']),
  RecordStackDeletionFailure: task('tasks', recordStackDeletionFailure, ['table:update']),
  // The deploy planned before an approval (issue 13 §3): src/tasks/deploy-plans.ts.
  PlanStageDeploy: task('customerTasks', planStageDeploy, ['table:read', 'table:update', 'table:query', 'index:query', 'customerAccounts:use']),
  DescribeStageDeployPlan: task('customerTasks', describeStageDeployPlan, ['table:read', 'table:update', 'customerAccounts:use']),
  CheckStageDeployPlan: task('customerTasks', checkStageDeployPlan, ['table:read', 'table:query', 'customerAccounts:use']),
  ReleaseStaleStageDeploy: task('tasks', releaseStaleStageDeploy, ['table:read', 'table:update']),
  DiscardStageDeployPlan: task('customerTasks', discardStageDeployPlan, ['table:read', 'table:update', 'customerAccounts:use']),
  ExecuteChangeSet: task('customerTasks', executeChangeSet, ['table:read', 'customerAccounts:use']),
} as const;

export type TaskName = keyof typeof taskFunctions;
/** What a task function is given: the state machines' payloads are checked against it (src/workflows). */
export type TaskInput<N extends TaskName> = Parameters<(typeof taskFunctions)[N]['run']>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof taskFunctions)[N]['run']>>;

/** What a unit's tasks need, together: its entry point (functions/) gives exactly this. */
export type TaskUnitDeps<U extends TaskUnit> = Intersection<
  {
    [N in TaskName]: (typeof taskFunctions)[N]['unit'] extends U
      ? Parameters<(typeof taskFunctions)[N]['run']>[1]
      : never;
  }[TaskName]
>;
