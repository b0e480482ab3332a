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
  or,
  pass,
  putItem,
  S,
  stateOf,
  updateItem,
  waitForToken,
  when,
  workflow,
} from './asl';
import type { DatabaseState } from './state';

const $ = stateOf<DatabaseState>();

export default workflow({
  comment:
    "Add, resize, re-key or promote a stage's database: create or update its own CloudFormation stack in the stage's VPC (none for an existing database), wait for CloudFormation's status event, record the database, then rebuild the stage's service so its variables and secrets follow. Failures are recorded, the stage put back as it was and unlocked, and FAILED events emitted.",
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
      { next: 'ChooseDatabaseWork' },
    ),
    ChooseDatabaseWork: choice(
      [when(is($.database.action, 'StringEquals', 'NONE'), 'RecordExistingDatabase')],
      'RenderDatabaseTemplate',
    ),
    RenderDatabaseTemplate: lambdaTask(
      'RenderDatabaseTemplate',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        engine: $.engine,
      },
      {
        resultPath: $.databaseTemplate,
        result: (out) => ({ templateBody: out.templateBody, tags: out.tags }),
        next: 'RegisterDatabaseStackWait',
      },
    ),
    RegisterDatabaseStackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.database.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S($.database.action),
      },
      { next: 'ChooseDatabaseStackCall' },
    ),
    ChooseDatabaseStackCall: choice(
      [when(is($.database.action, 'StringEquals', 'CREATE'), 'CreateDatabaseStack')],
      'UpdateDatabaseStack',
    ),
    CreateDatabaseStack: lambdaTask(
      'CreateStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
        templateBody: $.databaseTemplate.templateBody,
        tags: $.databaseTemplate.tags,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForDatabaseStack' },
    ),
    UpdateDatabaseStack: lambdaTask(
      'UpdateStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
        templateBody: $.databaseTemplate.templateBody,
        tags: $.databaseTemplate.tags,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForDatabaseStack' },
    ),
    WaitForDatabaseStack: waitForToken(
      'WaitForStack',
      { region: $.target.region, cfnStackName: $.database.cfnStackName, operationId: $.operationId },
      {
        timeout: 900,
        resultPath: $.databaseStackOutcome,
        catch: [
          on('States.Timeout', $.databaseStackOutcome, 'DescribeDatabaseStack'),
          catchInto('RecordFailure'),
        ],
        next: 'DescribeDatabaseStack',
      },
    ),
    DescribeDatabaseStack: lambdaTask(
      'DescribeStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
      },
      {
        resultPath: $.databaseStack,
        result: (out) => ({
          stackId: out.stackId,
          status: out.status,
          reason: out.reason,
          outputs: out.outputs,
        }),
        next: 'CheckDatabaseStackStatus',
      },
    ),
    CheckDatabaseStackStatus: choice(
      [
        when(
          or(
            is($.databaseStack.status, 'StringEquals', 'CREATE_COMPLETE'),
            is($.databaseStack.status, 'StringEquals', 'UPDATE_COMPLETE'),
          ),
          'RecordDatabaseReady',
        ),
        when(is($.databaseStack.status, 'StringMatches', '*_IN_PROGRESS'), 'RearmDatabaseStackWait'),
        when(
          is($.databaseStack.status, 'StringEquals', 'UPDATE_ROLLBACK_FAILED'),
          'RegisterDatabaseRollbackWait',
        ),
        when(is($.databaseStack.status, 'StringEquals', 'ROLLBACK_COMPLETE'), 'ExplainDatabaseCreateFailure'),
      ],
      'ExplainDatabaseStackFailure',
    ),
    RearmDatabaseStackWait: updateItem(itemKey(keys.stackWait, $.target.region, $.database.cfnStackName), {
      update: 'REMOVE outcome, taskToken, resumedAt SET rounds = if_not_exists(rounds, :zero) + :one',
      condition: 'operationId = :op AND (attribute_not_exists(rounds) OR rounds < :max)',
      values: { ':op': S($.operationId), ':zero': N(0), ':one': N(1), ':max': N(7) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'StackWaitExhausted'),
        catchInto('RecordFailure'),
      ],
      next: 'WaitForDatabaseStack',
    }),
    RegisterDatabaseRollbackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.database.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('CONTINUE_ROLLBACK'),
      },
      { next: 'ContinueDatabaseUpdateRollback' },
    ),
    ContinueDatabaseUpdateRollback: lambdaTask(
      'ContinueUpdateRollback',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForDatabaseStack' },
    ),
    ExplainDatabaseCreateFailure: lambdaTask(
      'ExplainStackFailure',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
      },
      {
        resultPath: $.error,
        result: (out) => ({ Error: 'StackFailed', Cause: out.reason }),
        next: 'RegisterFailedDatabaseStackDeletion',
      },
    ),
    RegisterFailedDatabaseStackDeletion: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.database.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('DELETE'),
      },
      { next: 'DeleteFailedDatabaseStack' },
    ),
    DeleteFailedDatabaseStack: lambdaTask(
      'DeleteStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForFailedDatabaseStackDeletion' },
    ),
    WaitForFailedDatabaseStackDeletion: waitForToken(
      'WaitForStack',
      { region: $.target.region, cfnStackName: $.database.cfnStackName, operationId: $.operationId },
      { timeout: 900, catch: [catchInto('RecordFailure', null)], next: 'RecordFailure' },
    ),
    ExplainDatabaseStackFailure: lambdaTask(
      'ExplainStackFailure',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.database.cfnStackName,
        operationId: $.operationId,
      },
      {
        resultPath: $.error,
        result: (out) => ({ Error: 'StackFailed', Cause: out.reason }),
        next: 'RecordFailure',
      },
    ),
    StackWaitExhausted: pass(
      {
        Error: 'StackWaitExhausted',
        Cause: 'CloudFormation did not finish within the time the workflow waits (2 hours)',
      },
      { resultPath: $.error, next: 'RecordFailure' },
    ),
    RecordDatabaseReady: lambdaTask(
      'RecordDatabaseReady',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        engine: $.engine,
        outputs: $.databaseStack.outputs,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'RenderStageTemplate' },
    ),
    RenderStageTemplate: lambdaTask(
      'RenderStageTemplate',
      { tenantId: $.tenantId, stackId: $.stackId, stageName: $.stageName, operationId: $.operationId },
      {
        resultPath: $.rendered,
        result: (out) => ({
          templateBody: out.templateBody,
          tags: out.tags,
          serviceEnvironmentNames: out.serviceEnvironmentNames,
        }),
        next: 'RegisterStackWait',
      },
    ),
    RegisterStackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('UPDATE'),
      },
      { next: 'UpdateStack' },
    ),
    UpdateStack: lambdaTask(
      'UpdateStack',
      {
        tenantId: $.tenantId,
        target: $.target,
        cfnStackName: $.cfnStackName,
        operationId: $.operationId,
        templateBody: $.rendered.templateBody,
        tags: $.rendered.tags,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForStack' },
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
        resultPath: $.stack,
        result: (out) => ({
          stackId: out.stackId,
          status: out.status,
          reason: out.reason,
          outputs: out.outputs,
        }),
        next: 'CheckStackStatus',
      },
    ),
    CheckStackStatus: choice(
      [
        when(is($.stack.status, 'StringEquals', 'UPDATE_COMPLETE'), 'RecordStageReady'),
        when(is($.stack.status, 'StringMatches', '*_IN_PROGRESS'), 'RearmStackWait'),
        when(is($.stack.status, 'StringEquals', 'UPDATE_ROLLBACK_FAILED'), 'RegisterRollbackWait'),
      ],
      'ExplainStackFailure',
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
    RegisterRollbackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S('CONTINUE_ROLLBACK'),
      },
      { next: 'ContinueUpdateRollback' },
    ),
    ContinueUpdateRollback: lambdaTask(
      'ContinueUpdateRollback',
      { tenantId: $.tenantId, target: $.target, cfnStackName: $.cfnStackName, operationId: $.operationId },
      { result: (out) => ({ result: out }), resultPath: null, next: 'WaitForStack' },
    ),
    ExplainStackFailure: lambdaTask(
      'ExplainStackFailure',
      { tenantId: $.tenantId, target: $.target, cfnStackName: $.cfnStackName, operationId: $.operationId },
      {
        resultPath: $.error,
        result: (out) => ({ Error: 'StackFailed', Cause: out.reason }),
        next: 'RecordFailure',
      },
    ),
    RecordStageReady: lambdaTask(
      'RecordStageReady',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        outputs: $.stack.outputs,
        serviceEnvironmentNames: $.rendered.serviceEnvironmentNames,
      },
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
          status: 'ACTIVE',
          url: $.stack.outputs.StageUrl,
        }),
        event('Database Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          stageName: $.stageName,
          operationId: $.operationId,
          engine: $.engine,
          status: 'AVAILABLE',
        }),
      ],
      { end: true },
    ),
    RecordFailure: lambdaTask(
      'RecordDatabaseFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        engine: $.engine,
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
        event('Database Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          stageName: $.stageName,
          operationId: $.operationId,
          engine: $.engine,
          status: 'FAILED',
          error: $.failure.reason,
        }),
      ],
      { catch: false, next: 'OperationFailed' },
    ),
    OperationFailed: fail('OperationFailed', 'The operation failed; its record holds the reason'),
    RecordExistingDatabase: lambdaTask(
      'RecordDatabaseReady',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        engine: $.engine,
        outputs: {},
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'RenderStageTemplate' },
    ),
  },
});
