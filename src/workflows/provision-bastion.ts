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
    "Provision a stage's bastion host: create its CloudFormation stack (an EC2 key pair whose private key AWS keeps in SSM Parameter Store, an Amazon Linux instance in a public subnet, SSH open to the given CIDRs only, in the stage's bastion security group that its databases accept), wait for CloudFormation's status event, record the bastion, unlock the stage. Failures are recorded, the stage put back as it was and unlocked, and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RenderBastionTemplate'),
    RenderBastionTemplate: lambdaTask(
      'RenderBastionTemplate',
      { tenantId: $.tenantId, stackId: $.stackId, stageName: $.stageName, operationId: $.operationId },
      { result: ['templateBody', 'tags'], resultPath: $.bastionTemplate, next: 'RegisterStackWait' },
    ),
    ...stackChange({
      cfnStackName: $.bastion.cfnStackName,
      change: 'CREATE',
      template: $.bastionTemplate,
      stack: $.stack,
      outcome: $.stackOutcome,
      deleteFailedCreate: true,
      next: 'RecordBastionReady',
    }),
    RecordBastionReady: lambdaTask(
      'RecordBastionReady',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        outputs: $.stack.outputs,
      },
      { next: 'ReleaseStage' },
    ),
    ReleaseStage: releaseStage('MarkOperationSucceeded'),
    ...operationSucceeded([]),
    ...bastionOperationFailed(),
  },
});
