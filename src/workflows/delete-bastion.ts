import {
  catchInto,
  choice,
  context,
  emitEvents,
  event,
  fail,
  is,
  itemKey,
  keys,
  lambdaTask,
  N,
  on,
  pass,
  putItem,
  S,
  stateOf,
  updateItem,
  waitForToken,
  when,
  workflow,
} from './asl';
import type { BastionState } from './state';

const $ = stateOf<BastionState>();

export default workflow({
  comment:
    "Delete a stage's bastion host: delete its CloudFormation stack (the key pair, and with it the private key in SSM, go too), wait for CloudFormation's status event, remove the record, unlock the stage. Failures are recorded, the stage put back as it was and unlocked, and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    MarkOperationRunning: updateItem(itemKey(keys.operation, $.tenantId, $.operationId), {
      update: 'SET #status = :running, startedAt = :now, updatedAt = :now',
      condition: 'attribute_exists(pk)',
      names: { '#status': 'status' },
      values: { ':running': S('RUNNING'), ':now': S(context.enteredTime) },
      next: 'EmitOperationRunning',
    }),
    EmitOperationRunning: emitEvents(
      [
        event('Operation Status Change', {
          tenantId: $.tenantId,
          operationId: $.operationId,
          stackId: $.stackId,
          stageName: $.stageName,
          type: $.operationType,
          status: 'RUNNING',
        }),
      ],
      { next: 'RegisterStackWait' },
    ),
    RegisterStackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.bastion.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('DELETE'),
      },
      { next: 'DeleteStack' },
    ),
    DeleteStack: lambdaTask(
      'DeleteStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.bastion.cfnStackName,
        operationId: $.operationId,
      },
      { resultPath: $.deletion, result: (out) => ({ existed: out.existed }), next: 'CheckStackExisted' },
    ),
    CheckStackExisted: choice(
      [when(is($.deletion.existed, 'BooleanEquals', false), 'RemoveBastion')],
      'WaitForStack',
    ),
    WaitForStack: waitForToken(
      'WaitForStack',
      { region: $.target.region, cfnStackName: $.bastion.cfnStackName, operationId: $.operationId },
      {
        timeout: 900,
        resultPath: $.stackOutcome,
        catch: [on('States.Timeout', $.stackOutcome, 'DescribeStack'), catchInto('RecordFailure')],
        next: 'DescribeStack',
      },
    ),
    DescribeStack: lambdaTask(
      'DescribeStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.bastion.cfnStackName,
        operationId: $.operationId,
      },
      {
        resultPath: $.stack,
        result: (out) => ({
          stackId: out.stackId,
          status: out.status,
          reason: out.reason,
          outputs: out.outputs,
        }),
        next: 'CheckStackDeleted',
      },
    ),
    CheckStackDeleted: choice(
      [
        when(is($.stack.status, 'StringEquals', 'DELETE_COMPLETE'), 'RemoveBastion'),
        when(is($.stack.status, 'StringMatches', '*_IN_PROGRESS'), 'RearmStackWait'),
      ],
      'ExplainStackFailure',
    ),
    RearmStackWait: updateItem(itemKey(keys.stackWait, $.target.region, $.bastion.cfnStackName), {
      update: 'REMOVE outcome, taskToken, resumedAt SET rounds = if_not_exists(rounds, :zero) + :one',
      condition: 'operationId = :op AND (attribute_not_exists(rounds) OR rounds < :max)',
      values: { ':op': S($.operationId), ':zero': N(0), ':one': N(1), ':max': N(7) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'StackWaitExhausted'),
        catchInto('RecordFailure'),
      ],
      next: 'WaitForStack',
    }),
    StackWaitExhausted: pass(
      {
        Error: 'StackWaitExhausted',
        Cause: 'CloudFormation did not finish within the time the workflow waits (2 hours)',
      },
      { resultPath: $.error, next: 'RecordFailure' },
    ),
    ExplainStackFailure: lambdaTask(
      'ExplainStackFailure',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.bastion.cfnStackName,
        operationId: $.operationId,
      },
      {
        resultPath: $.error,
        result: (out) => ({ Error: 'StackFailed', Cause: out.reason }),
        next: 'RecordFailure',
      },
    ),
    RemoveBastion: lambdaTask(
      'RemoveBastion',
      { tenantId: $.tenantId, stackId: $.stackId, stageName: $.stageName, operationId: $.operationId },
      { result: (out) => ({ result: out }), resultPath: null, next: 'ReleaseStage' },
    ),
    ReleaseStage: updateItem(itemKey(keys.stage, $.tenantId, $.stackId, $.stageName), {
      update: 'REMOVE #lock SET #status = :status, updatedAt = :now',
      condition: '#lock.operationId = :op',
      names: { '#lock': 'lock', '#status': 'status' },
      values: { ':status': S($.stageStatusBefore), ':op': S($.operationId), ':now': S(context.enteredTime) },
      next: 'MarkOperationSucceeded',
    }),
    MarkOperationSucceeded: updateItem(itemKey(keys.operation, $.tenantId, $.operationId), {
      update: 'SET #status = :ok, endedAt = :now, updatedAt = :now',
      names: { '#status': 'status' },
      values: { ':ok': S('SUCCEEDED'), ':now': S(context.enteredTime) },
      next: 'EmitOperationSucceeded',
    }),
    EmitOperationSucceeded: emitEvents(
      [
        event('Operation Status Change', {
          tenantId: $.tenantId,
          operationId: $.operationId,
          stackId: $.stackId,
          stageName: $.stageName,
          type: $.operationType,
          status: 'SUCCEEDED',
        }),
      ],
      { end: true },
    ),
    RecordFailure: lambdaTask(
      'RecordBastionFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        stageStatusBefore: $.stageStatusBefore,
        target: $.target,
        error: $.error,
      },
      {
        resultPath: $.failure,
        result: (out) => ({ reason: out.reason, stageStatus: out.stageStatus }),
        catch: false,
        next: 'EmitFailureEvents',
      },
    ),
    EmitFailureEvents: emitEvents(
      [
        event('Operation Status Change', {
          tenantId: $.tenantId,
          operationId: $.operationId,
          stackId: $.stackId,
          stageName: $.stageName,
          type: $.operationType,
          status: 'FAILED',
          error: $.failure.reason,
        }),
      ],
      { catch: false, next: 'OperationFailed' },
    ),
    OperationFailed: fail('OperationFailed', 'The operation failed; its record holds the reason'),
  },
});
