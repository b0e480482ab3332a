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
import type { StageState } from './state';

const $ = stateOf<StageState>();

export default workflow({
  comment:
    "Delete a stage: delete its CloudFormation stack in the customer's account, wait for CloudFormation's status event, remove the stage. Failures are recorded, the stage unlocked, and a FAILED event emitted.",
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
        ...itemKey(keys.stackWait, $.target.region, $.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('DELETE'),
      },
      { next: 'DeleteStack' },
    ),
    DeleteStack: lambdaTask(
      'DeleteStack',
      { tenantId: $.tenantId, target: $.target, cfnStackName: $.cfnStackName, operationId: $.operationId },
      { result: (out) => ({ existed: out.existed }), resultPath: $.deletion, next: 'CheckStackExisted' },
    ),
    CheckStackExisted: choice(
      [when(is($.deletion.existed, 'BooleanEquals', false), 'RemoveStage')],
      'WaitForStack',
    ),
    WaitForStack: waitForToken(
      'WaitForStack',
      { region: $.target.region, cfnStackName: $.cfnStackName, operationId: $.operationId },
      {
        timeout: 900,
        resultPath: $.stackOutcome,
        catch: [on('States.Timeout', $.stackOutcome, 'DescribeStack'), catchInto('RecordFailure')],
        next: 'DescribeStack',
      },
    ),
    DescribeStack: lambdaTask(
      'DescribeStack',
      { tenantId: $.tenantId, target: $.target, cfnStackName: $.cfnStackName, operationId: $.operationId },
      {
        result: (out) => ({
          stackId: out.stackId,
          status: out.status,
          reason: out.reason,
          outputs: out.outputs,
        }),
        resultPath: $.stack,
        next: 'CheckStackDeleted',
      },
    ),
    StackWaitExhausted: pass(
      {
        Error: 'StackWaitExhausted',
        Cause: 'CloudFormation did not finish within the time the workflow waits (2 hours)',
      },
      { resultPath: $.error, next: 'RecordFailure' },
    ),
    RearmStackWait: updateItem(itemKey(keys.stackWait, $.target.region, $.cfnStackName), {
      update: 'REMOVE outcome, taskToken, resumedAt SET rounds = if_not_exists(rounds, :zero) + :one',
      condition: 'operationId = :op AND (attribute_not_exists(rounds) OR rounds < :max)',
      values: { ':op': S($.operationId), ':zero': N(0), ':one': N(1), ':max': N(7) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'StackWaitExhausted'),
        catchInto('RecordFailure'),
      ],
      next: 'WaitForStack',
    }),
    CheckStackDeleted: choice(
      [
        when(is($.stack.status, 'StringEquals', 'DELETE_COMPLETE'), 'RemoveStage'),
        when(is($.stack.status, 'StringMatches', '*_IN_PROGRESS'), 'RearmStackWait'),
      ],
      'ExplainStackFailure',
    ),
    ExplainStackFailure: lambdaTask(
      'ExplainStackFailure',
      { tenantId: $.tenantId, target: $.target, cfnStackName: $.cfnStackName, operationId: $.operationId },
      {
        result: (out) => ({ Error: 'StackFailed', Cause: out.reason }),
        resultPath: $.error,
        next: 'RecordFailure',
      },
    ),
    RemoveStage: lambdaTask(
      'RemoveStage',
      { tenantId: $.tenantId, operationId: $.operationId, stackId: $.stackId, stageName: $.stageName },
      { result: (out) => ({ result: out }), resultPath: null, next: 'MarkOperationSucceeded' },
    ),
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
        event('Stage Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          stageName: $.stageName,
          operationId: $.operationId,
          status: 'DELETED',
        }),
      ],
      { end: true },
    ),
    RecordFailure: lambdaTask(
      'RecordFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        error: $.error,
      },
      {
        result: (out) => ({ reason: out.reason, stageStatus: out.stageStatus }),
        resultPath: $.failure,
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
        event('Stage Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          stageName: $.stageName,
          operationId: $.operationId,
          status: $.failure.stageStatus,
          error: $.failure.reason,
        }),
      ],
      { catch: false, next: 'OperationFailed' },
    ),
    OperationFailed: fail('OperationFailed', 'The operation failed; its record holds the reason'),
  },
});
