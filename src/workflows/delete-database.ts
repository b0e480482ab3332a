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

export default workflow({
  comment:
    "Delete a stage's database: first rebuild the stage's service without it (so nothing uses it), then delete its CloudFormation stack (RDS keeps a final snapshot) and wait for CloudFormation's status event, then remove the record. Failures are recorded, the stage put back as it was and unlocked, and FAILED events emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RenderStageTemplate', [deploymentEvent('IN_PROGRESS')]),
    ...stageRebuild({ change: 'UPDATE', next: 'ChooseDatabaseStackDeletion' }),
    // An existing database (one the customer runs) has no stack of ours to delete.
    ChooseDatabaseStackDeletion: choice(
      [when(is($.database.action, 'StringEquals', 'NONE'), 'RemoveDatabase')],
      'RegisterDatabaseStackWait',
    ),
    ...stackChange({
      of: 'Database',
      cfnStackName: $.database.cfnStackName,
      change: 'DELETE',
      stack: $.databaseStack,
      outcome: $.databaseStackOutcome,
      deletion: $.databaseDeletion,
      next: 'RemoveDatabase',
    }),
    RemoveDatabase: lambdaTask('RemoveDatabase', databaseRef, { next: 'RecordStageReady' }),
    ...recordStageReady('MarkOperationSucceeded'),
    ...operationSucceeded([stageActive(), databaseEvent('DELETED'), deploymentEvent('SUCCEEDED')]),
    ...databaseOperationFailed(),
  },
});
