import { lambdaTask, stateOf, workflow } from './asl';
import type { StageState } from './state';
import { operationRunning, operationSucceeded, stackChange, stageEvent, stageOperationFailed } from './steps';

const $ = stateOf<StageState>();

export default workflow({
  comment:
    "Delete a stage: delete its CloudFormation stack in the customer's account, wait for CloudFormation's status event, remove the stage. Failures are recorded, the stage unlocked, and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RegisterStackWait'),
    ...stackChange({
      cfnStackName: $.cfnStackName,
      change: 'DELETE',
      stack: $.stack,
      outcome: $.stackOutcome,
      deletion: $.deletion,
      next: 'RemoveStage',
    }),
    RemoveStage: lambdaTask(
      'RemoveStage',
      { tenantId: $.tenantId, operationId: $.operationId, stackId: $.stackId, stageName: $.stageName },
      { next: 'MarkOperationSucceeded' },
    ),
    ...operationSucceeded([stageEvent('DELETED')]),
    ...stageOperationFailed(),
  },
});
