import { lambdaTask, stateOf, workflow } from './asl';
import type { StackOperationState } from './state';
import {
  operationFailed,
  operationRunning,
  operationSucceeded,
  stackChange,
  stackOperationEvent,
} from './steps';

const $ = stateOf<StackOperationState>();

const stack = { tenantId: $.tenantId, stackId: $.stackId, operationId: $.operationId };

export default workflow({
  comment:
    "Delete a stack that has no stages left: delete its build pipeline's CloudFormation stack in the customer's account (the artifact bucket is retained on purpose, the ECR repository emptied with it), wait for CloudFormation's status event, then remove the stack's records (its webhook secret, its name, the stack). A pipeline stack that ends DELETE_FAILED fails the operation with CloudFormation's reason and leaves the stack DELETE_FAILED, to be deleted again.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RegisterStackWait', [], stackOperationEvent),
    ...stackChange({
      cfnStackName: $.cfnStackName,
      change: 'DELETE',
      stack: $.stack,
      outcome: $.stackOutcome,
      deletion: $.deletion,
      next: 'RemoveStack',
    }),
    RemoveStack: lambdaTask('RemoveStack', stack, { next: 'MarkOperationSucceeded' }),
    ...operationSucceeded([], stackOperationEvent),
    ...operationFailed(
      lambdaTask(
        'RecordStackDeletionFailure',
        { ...stack, error: $.error },
        { result: ['reason'], resultPath: $.failure, catch: false, next: 'EmitFailureEvents' },
      ),
      [],
      stackOperationEvent,
    ),
  },
});
