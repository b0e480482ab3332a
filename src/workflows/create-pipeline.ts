import { emitEvents, event, fail, lambdaTask, stateOf, workflow } from './asl';
import type { PipelineState } from './state';
import { stackChange } from './steps';

const $ = stateOf<PipelineState>();

const pipelineEvent = (status: string, extra = {}) =>
  event('Pipeline Status Change', { tenantId: $.tenantId, stackId: $.stackId, status, ...extra });

export default workflow({
  comment:
    "Create a stack's build pipeline (CodePipeline, CodeBuild, ECR) as a CloudFormation stack in the customer's account: render the template, create the stack, wait for CloudFormation's status event, record the pipeline ACTIVE with its image repository. Failures are recorded on the stack and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    RenderPipelineTemplate: lambdaTask(
      'RenderPipelineTemplate',
      { tenantId: $.tenantId, stackId: $.stackId },
      { result: ['templateBody', 'tags'], resultPath: $.rendered, next: 'RegisterStackWait' },
    ),
    ...stackChange({
      cfnStackName: $.cfnStackName,
      change: 'CREATE',
      template: $.rendered,
      stack: $.stack,
      outcome: $.stackOutcome,
      // A pipeline stack that failed to create is deleted, so that a retry can create it again.
      deleteFailedCreate: true,
      next: 'RecordPipelineReady',
    }),
    RecordPipelineReady: lambdaTask(
      'RecordPipelineReady',
      { tenantId: $.tenantId, stackId: $.stackId, outputs: $.stack.outputs },
      { next: 'EmitPipelineActive' },
    ),
    EmitPipelineActive: emitEvents([pipelineEvent('ACTIVE')], { end: true }),
    RecordFailure: lambdaTask(
      'RecordPipelineFailure',
      { tenantId: $.tenantId, stackId: $.stackId, error: $.error },
      { result: ['reason'], resultPath: $.failure, catch: false, next: 'EmitFailureEvents' },
    ),
    EmitFailureEvents: emitEvents([pipelineEvent('FAILED', { error: $.failure.reason })], {
      catch: false,
      next: 'PipelineFailed',
    }),
    PipelineFailed: fail(
      'PipelineFailed',
      "The pipeline could not be created; the stack's pipeline.error holds the reason",
    ),
  },
});
