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
import type { PipelineState } from './state';

const $ = stateOf<PipelineState>();

export default workflow({
  comment:
    "Create a stack's build pipeline (CodePipeline, CodeBuild, ECR) as a CloudFormation stack in the customer's account: render the template, create the stack, wait for CloudFormation's status event, record the pipeline ACTIVE with its image repository. Failures are recorded on the stack and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    RenderPipelineTemplate: lambdaTask(
      'RenderPipelineTemplate',
      { tenantId: $.tenantId, stackId: $.stackId },
      {
        result: (out) => ({ templateBody: out.templateBody, tags: out.tags }),
        resultPath: $.rendered,
        next: 'RegisterStackWait',
      },
    ),
    RegisterStackWait: putItem(
      {
        ...itemKey(keys.stackWait, $.target.region, $.cfnStackName),
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S($.action),
      },
      { next: 'CreateStack' },
    ),
    CreateStack: lambdaTask(
      'CreateStack',
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
        result: (out) => ({
          stackId: out.stackId,
          status: out.status,
          reason: out.reason,
          outputs: out.outputs,
        }),
        resultPath: $.stack,
        next: 'CheckStackStatus',
      },
    ),
    CheckStackStatus: choice(
      [
        when(
          or(
            is($.stack.status, 'StringEquals', 'CREATE_COMPLETE'),
            is($.stack.status, 'StringEquals', 'UPDATE_COMPLETE'),
          ),
          'RecordPipelineReady',
        ),
        when(is($.stack.status, 'StringMatches', '*_IN_PROGRESS'), 'RearmStackWait'),
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
    StackWaitExhausted: pass(
      {
        Error: 'StackWaitExhausted',
        Cause: 'CloudFormation did not finish within the time the workflow waits (2 hours)',
      },
      { resultPath: $.error, next: 'RecordFailure' },
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
    RecordPipelineReady: lambdaTask(
      'RecordPipelineReady',
      { tenantId: $.tenantId, stackId: $.stackId, outputs: $.stack.outputs },
      { result: (out) => ({ result: out }), resultPath: null, next: 'EmitPipelineActive' },
    ),
    EmitPipelineActive: emitEvents(
      [event('Pipeline Status Change', { tenantId: $.tenantId, stackId: $.stackId, status: 'ACTIVE' })],
      { end: true },
    ),
    RecordFailure: lambdaTask(
      'RecordPipelineFailure',
      { tenantId: $.tenantId, stackId: $.stackId, error: $.error },
      {
        result: (out) => ({ reason: out.reason }),
        resultPath: $.failure,
        catch: false,
        next: 'EmitFailureEvents',
      },
    ),
    EmitFailureEvents: emitEvents(
      [
        event('Pipeline Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          status: 'FAILED',
          error: $.failure.reason,
        }),
      ],
      { catch: false, next: 'PipelineFailed' },
    ),
    PipelineFailed: fail(
      'PipelineFailed',
      "The pipeline could not be created; the stack's pipeline.error holds the reason",
    ),
  },
});
