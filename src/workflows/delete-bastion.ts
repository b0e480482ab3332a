import { lambdaTask, stateOf, workflow } from './asl';
import type { BastionState } from './state';
import {
  bastionOperationFailed,
  operationRunning,
  operationSucceeded,
  releaseStage,
  stackChange,
} from './steps';

const $ = stateOf<BastionState>();

export default workflow({
  comment:
    "Delete a stage's bastion host: delete its CloudFormation stack (the key pair, and with it the private key in SSM, go too), wait for CloudFormation's status event, remove the record, unlock the stage. Failures are recorded, the stage put back as it was and unlocked, and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RegisterStackWait'),
    ...stackChange({
      cfnStackName: $.bastion.cfnStackName,
      change: 'DELETE',
      stack: $.stack,
      outcome: $.stackOutcome,
      deletion: $.deletion,
      next: 'RemoveBastion',
    }),
    RemoveBastion: lambdaTask(
      'RemoveBastion',
      { tenantId: $.tenantId, stackId: $.stackId, stageName: $.stageName, operationId: $.operationId },
      { next: 'ReleaseStage' },
    ),
    ReleaseStage: releaseStage('MarkOperationSucceeded'),
    ...operationSucceeded([]),
    ...bastionOperationFailed(),
  },
});
