import { choice, is, lambdaTask, stateOf, when, workflow } from './asl';
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

const database = { ...databaseRef, operationType: $.operationType };

export default workflow({
  comment:
    "Add, resize, re-key or promote a stage's database: create or update its own CloudFormation stack in the stage's VPC (none for an existing database), wait for CloudFormation's status event, record the database, then rebuild the stage's service so its variables and secrets follow. Failures are recorded, the stage put back as it was and unlocked, and FAILED events emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('ChooseDatabaseWork', [deploymentEvent('IN_PROGRESS')]),
    // An existing database (one the customer runs) has no stack of ours: only its record.
    ChooseDatabaseWork: choice(
      [when(is($.database.action, 'StringEquals', 'NONE'), 'RecordExistingDatabase')],
      'RenderDatabaseTemplate',
    ),
    RecordExistingDatabase: lambdaTask(
      'RecordDatabaseReady',
      { ...database, outputs: {} },
      { next: 'RenderStageTemplate' },
    ),
    RenderDatabaseTemplate: lambdaTask('RenderDatabaseTemplate', database, {
      result: ['templateBody', 'tags'],
      resultPath: $.databaseTemplate,
      next: 'RegisterDatabaseStackWait',
    }),
    ...stackChange({
      of: 'Database',
      cfnStackName: $.database.cfnStackName,
      change: $.database.action,
      template: $.databaseTemplate,
      stack: $.databaseStack,
      outcome: $.databaseStackOutcome,
      deleteFailedCreate: true,
      next: 'RecordDatabaseReady',
    }),
    RecordDatabaseReady: lambdaTask(
      'RecordDatabaseReady',
      { ...database, outputs: $.databaseStack.outputs },
      { next: 'RenderStageTemplate' },
    ),
    ...stageRebuild({ change: 'UPDATE', next: 'RecordStageReady' }),
    ...recordStageReady('MarkOperationSucceeded'),
    ...operationSucceeded([stageActive(), databaseEvent('AVAILABLE'), deploymentEvent('SUCCEEDED')]),
    ...databaseOperationFailed(),
  },
});
