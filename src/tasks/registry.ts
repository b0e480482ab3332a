import {
  continueUpdateRollback,
  createStack,
  deleteStack,
  describeStack,
  explainStackFailure,
  updateStack,
} from './stack-calls';
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
import { recordFailure, recordStageReady, removeStage, renderStage } from './stage-steps';

/**
 * The task functions the state machines call, by the name their ASL placeholders use
 * (`${<Name>FunctionArn}`). Deployed as functions/tasks/<kebab-name>.ts; bound directly by the
 * embedded runtime.
 */
export const taskFunctions = {
  RenderStageTemplate: renderStage,
  CreateStack: createStack,
  UpdateStack: updateStack,
  DeleteStack: deleteStack,
  ContinueUpdateRollback: continueUpdateRollback,
  DescribeStack: describeStack,
  ExplainStackFailure: explainStackFailure,
  WaitForStack: waitForStack,
  RecordStageReady: recordStageReady,
  RecordFailure: recordFailure,
  RemoveStage: removeStage,
  // Databases, read replicas, bastions
  RenderDatabaseTemplate: renderDatabase,
  RecordReplicaSource: recordReplicaSource,
  RecordDatabaseReady: recordDatabaseReady,
  RecordDatabaseFailure: recordDatabaseFailure,
  RemoveDatabase: removeDatabase,
  RenderBastionTemplate: renderBastion,
  RecordBastionReady: recordBastionReady,
  RecordBastionFailure: recordBastionFailure,
  RemoveBastion: removeBastion,
  // Build pipelines and their runs
  RenderPipelineTemplate: renderPipeline,
  RecordPipelineReady: recordPipelineReady,
  RecordPipelineFailure: recordPipelineFailure,
  StartBuild: startBuild,
  WaitForBuild: waitForBuild,
  CheckBuild: checkBuild,
  BeginPromotion: beginPromotion,
  PickNextStage: pickNextStage,
  CreateApproval: createApproval,
  SendApprovalRequest: sendApprovalRequest,
  WaitForApproval: waitForApproval,
  PrepareStageDeploy: prepareStageDeploy,
  RecordStageDeployed: recordStageDeployed,
  RecordRunEnd: recordRunEnd,
  RecordRunFailure: recordRunFailure,
} as const;

export type TaskName = keyof typeof taskFunctions;
/** What a task function is given: the state machines' payloads are checked against it (src/workflows). */
export type TaskInput<N extends TaskName> = Parameters<(typeof taskFunctions)[N]>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof taskFunctions)[N]>>;
