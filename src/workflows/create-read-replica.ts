import { lambdaTask, stateOf, workflow } from './asl';
import type { DatabaseState } from './state';
import {
  deploymentEvent,
  databaseEvent,
  databaseOperationFailed,
  databaseRef,
  operationRunning,
  operationSucceeded,
  stackChange,
  stageActive,
  recordStageReady,
  stageRebuild,
} from './steps';

const $ = stateOf<DatabaseState>();

export default workflow({
  comment:
    "Create a read replica of another stage's Postgres or MySQL database for a stage, in the stage's region and VPC: read the source, create the replica's CloudFormation stack (an RDS cross-region replica encrypted with the region's key), wait for CloudFormation's status event, record the replica, then rebuild the stage's service so it gets the READER variables and the writer's. Failures are recorded, the stage put back as it was and unlocked, and FAILED events emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RecordReplicaSource', [deploymentEvent('IN_PROGRESS')]),
    RecordReplicaSource: lambdaTask('RecordReplicaSource', databaseRef, { next: 'RenderDatabaseTemplate' }),
    RenderDatabaseTemplate: lambdaTask(
      'RenderDatabaseTemplate',
      { ...databaseRef, operationType: $.operationType },
      { result: ['templateBody', 'tags'], resultPath: $.databaseTemplate, next: 'RegisterDatabaseStackWait' },
    ),
    ...stackChange({
      of: 'Database',
      cfnStackName: $.database.cfnStackName,
      change: 'CREATE',
      template: $.databaseTemplate,
      stack: $.databaseStack,
      outcome: $.databaseStackOutcome,
      deleteFailedCreate: true,
      next: 'RecordDatabaseReady',
    }),
    RecordDatabaseReady: lambdaTask(
      'RecordDatabaseReady',
      { ...databaseRef, operationType: $.operationType, outputs: $.databaseStack.outputs },
      { next: 'RenderStageTemplate' },
    ),
    ...stageRebuild({ change: 'UPDATE', next: 'RecordStageReady' }),
    ...recordStageReady('MarkOperationSucceeded'),
    ...operationSucceeded([stageActive(), databaseEvent('AVAILABLE'), deploymentEvent('SUCCEEDED')]),
    ...databaseOperationFailed(),
  },
});
