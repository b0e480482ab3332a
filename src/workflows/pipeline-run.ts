import {
  catchInto,
  choice,
  context,
  emitEvents,
  event,
  fail,
  format,
  is,
  itemKey,
  keys,
  lambdaTask,
  N,
  on,
  pass,
  RETRY,
  runWorkflow,
  S,
  stateOf,
  succeed,
  updateItem,
  waitForToken,
  when,
  workflow,
} from './asl';
import type { RunState } from './state';

const $ = stateOf<RunState>();

export default workflow({
  comment:
    "A pipeline run: build the commit (CodePipeline in the customer's account, resumed by its state-change event), then move the image through the stack's stages in creation order. A stage that requires approval first waits on a task token (an approval record, an email and a Slack message with a single-use link; expiry after approvalTimeoutSeconds stops the run). Each deploy is a deploy-stage execution (a stage update with the new image, under the stage's lock). Rejection, expiry, supersession or a failed deploy stop the run; earlier stages keep what they got. No overall timeout: approvals may wait for days on a task token, which costs no state transitions.",
  states: {
    StartBuild: lambdaTask(
      'StartBuild',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        runId: $.runId,
        pipelineName: $.pipelineName,
        target: $.target,
      },
      {
        result: (out) => ({ pipelineExecutionId: out.pipelineExecutionId }),
        resultPath: $.build,
        next: 'EmitRunBuilding',
      },
    ),
    EmitRunBuilding: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'BUILDING',
        }),
      ],
      { next: 'WaitForBuild' },
    ),
    WaitForBuild: waitForToken(
      'WaitForBuild',
      { tenantId: $.tenantId, runId: $.runId, pipelineExecutionId: $.build.pipelineExecutionId },
      {
        timeout: 3600,
        resultPath: $.buildOutcome,
        catch: [on('States.Timeout', $.buildOutcome, 'CheckBuild'), catchInto('RecordFailure')],
        next: 'CheckBuild',
      },
    ),
    CheckBuild: lambdaTask(
      'CheckBuild',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        runId: $.runId,
        pipelineName: $.pipelineName,
        target: $.target,
        pipelineExecutionId: $.build.pipelineExecutionId,
      },
      {
        result: (out) => ({
          status: out.status,
          reason: out.reason,
          imageUri: out.imageUri,
          commitSha: out.commitSha,
        }),
        resultPath: $.checked,
        next: 'ChooseBuildOutcome',
      },
    ),
    ChooseBuildOutcome: choice(
      [
        when(is($.checked.status, 'StringEquals', 'Succeeded'), 'BeginPromotion'),
        when(is($.checked.status, 'StringEquals', 'InProgress'), 'RearmBuildWait'),
      ],
      'BuildFailed',
    ),
    BuildFailed: pass(
      { Error: 'BuildFailed', Cause: $.checked.reason },
      { resultPath: $.error, next: 'RecordFailure' },
    ),
    RearmBuildWait: updateItem(itemKey(keys.run, $.tenantId, $.runId), {
      update:
        'REMOVE buildOutcome, buildToken, buildResumedAt SET buildRounds = if_not_exists(buildRounds, :zero) + :one',
      condition: 'attribute_not_exists(buildRounds) OR buildRounds < :max',
      values: { ':zero': N(0), ':one': N(1), ':max': N(2) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'BuildWaitExhausted'),
        catchInto('RecordFailure'),
      ],
      next: 'WaitForBuild',
    }),
    BuildWaitExhausted: pass(
      {
        Error: 'BuildWaitExhausted',
        Cause: 'the build did not finish within the time a run waits for it (3 hours)',
      },
      { resultPath: $.error, next: 'RecordFailure' },
    ),
    BeginPromotion: lambdaTask(
      'BeginPromotion',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        runId: $.runId,
        imageUri: $.checked.imageUri,
        commitSha: $.checked.commitSha,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'PickNextStage' },
    ),
    PickNextStage: lambdaTask(
      'PickNextStage',
      { tenantId: $.tenantId, stackId: $.stackId, runId: $.runId },
      {
        result: (out) => ({ done: out.done, stageName: out.stageName, requireApproval: out.requireApproval }),
        resultPath: $.next,
        next: 'HasNextStage',
      },
    ),
    HasNextStage: choice(
      [when(is($.next.done, 'BooleanEquals', true), 'RecordRunSucceeded')],
      'NeedsApproval',
    ),
    NeedsApproval: choice(
      [when(is($.next.requireApproval, 'BooleanEquals', true), 'CreateApproval')],
      'PrepareStageDeploy',
    ),
    CreateApproval: lambdaTask(
      'CreateApproval',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        runId: $.runId,
        stageName: $.next.stageName,
        approvalTimeoutSeconds: $.approvalTimeoutSeconds,
      },
      {
        result: (out) => ({ approvalId: out.approvalId, expiresAt: out.expiresAt }),
        resultPath: $.approval,
        catch: [on('RunSuperseded', $.stopError, 'RunSuperseded'), catchInto('RecordFailure')],
        next: 'EmitApprovalRequested',
      },
    ),
    EmitApprovalRequested: emitEvents(
      [
        event('Approval Requested', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          stageName: $.next.stageName,
          approvalId: $.approval.approvalId,
          expiresAt: $.approval.expiresAt,
          status: 'PENDING',
        }),
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'WAITING_FOR_APPROVAL',
          stageName: $.next.stageName,
          stageStatus: 'WAITING_FOR_APPROVAL',
        }),
      ],
      { next: 'SendApprovalRequest' },
    ),
    SendApprovalRequest: lambdaTask(
      'SendApprovalRequest',
      { tenantId: $.tenantId, approvalId: $.approval.approvalId },
      {
        comment:
          'Email and Slack, each best-effort: a request that cannot be sent leaves the approval decidable in the dashboard, so no failure here stops the run',
        catch: [catchInto('WaitForApproval', $.notifyError)],
        next: 'WaitForApproval',
      },
    ),
    WaitForApproval: waitForToken(
      'WaitForApproval',
      { tenantId: $.tenantId, approvalId: $.approval.approvalId, timeoutSeconds: $.approvalTimeoutSeconds },
      {
        timeoutPath: $.approvalTimeoutSeconds,
        resultPath: $.decision,
        catch: [
          on('ApprovalRejected', $.stopError, 'ApprovalRejected'),
          on('ApprovalSuperseded', $.stopError, 'ApprovalSuperseded'),
          on('States.Timeout', $.stopError, 'ExpireApproval'),
          catchInto('RecordFailure'),
        ],
        next: 'EmitApprovalApproved',
      },
    ),
    EmitApprovalApproved: emitEvents(
      [
        event('Approval Decided', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          stageName: $.next.stageName,
          approvalId: $.approval.approvalId,
          status: 'APPROVED',
          decidedBy: $.decision.decidedBy,
        }),
      ],
      { next: 'PrepareStageDeploy' },
    ),
    ApprovalRejected: pass(
      {
        approval: 'REJECTED',
        runStatus: 'STOPPED',
        stageStatus: 'REJECTED',
        reason: format('the deploy to {} was rejected', $.next.stageName),
      },
      { resultPath: $.stop, next: 'EmitApprovalEnded' },
    ),
    ApprovalSuperseded: pass(
      {
        approval: 'SUPERSEDED',
        runStatus: 'SUPERSEDED',
        stageStatus: 'SUPERSEDED',
        reason: format('a newer run reached the approval of {}', $.next.stageName),
      },
      { resultPath: $.stop, next: 'EmitApprovalEnded' },
    ),
    ExpireApproval: updateItem(itemKey(keys.approval, $.tenantId, $.approval.approvalId), {
      update: 'SET #status = :expired, decidedAt = :now REMOVE gsi1pk, gsi1sk, linkNonce',
      condition: '#status = :pending',
      names: { '#status': 'status' },
      values: { ':expired': S('EXPIRED'), ':pending': S('PENDING'), ':now': S(context.enteredTime) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'ApprovalExpired'),
        catchInto('RecordFailure'),
      ],
      next: 'ApprovalExpired',
    }),
    ApprovalExpired: pass(
      {
        approval: 'EXPIRED',
        runStatus: 'STOPPED',
        stageStatus: 'EXPIRED',
        reason: format('the approval of {} expired', $.next.stageName),
      },
      { resultPath: $.stop, next: 'EmitApprovalEnded' },
    ),
    EmitApprovalEnded: emitEvents(
      [
        event('Approval Decided', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          stageName: $.next.stageName,
          approvalId: $.approval.approvalId,
          status: $.stop.approval,
        }),
      ],
      { next: 'StopRun' },
    ),
    RunSuperseded: pass(
      {
        runStatus: 'SUPERSEDED',
        stageStatus: 'SUPERSEDED',
        reason: format('a newer run reached {} first', $.next.stageName),
      },
      { resultPath: $.stop, next: 'StopRun' },
    ),
    StopRun: lambdaTask(
      'RecordRunEnd',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        runId: $.runId,
        status: $.stop.runStatus,
        reason: $.stop.reason,
        stageName: $.next.stageName,
        stageStatus: $.stop.stageStatus,
      },
      { result: (out) => ({ result: out }), resultPath: null, next: 'EmitRunStopped' },
    ),
    EmitRunStopped: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: $.stop.runStatus,
          stageName: $.next.stageName,
          stageStatus: $.stop.stageStatus,
          reason: $.stop.reason,
        }),
      ],
      { next: 'RunStopped' },
    ),
    RunStopped: succeed("Stopped on purpose (rejected, expired, superseded): the run's record says why"),
    PrepareStageDeploy: lambdaTask(
      'PrepareStageDeploy',
      { tenantId: $.tenantId, stackId: $.stackId, runId: $.runId, stageName: $.next.stageName },
      {
        retry: [
          RETRY.lambda,
          { ErrorEquals: ['StageBusy'], IntervalSeconds: 20, MaxAttempts: 6, BackoffRate: 1.5 },
        ],
        result: (out) => ({ operationId: out.operationId, workflowInput: out.workflowInput }),
        resultPath: $.deploy,
        catch: [on('RunSuperseded', $.stopError, 'RunSuperseded'), catchInto('RecordFailure')],
        next: 'EmitStageDeploying',
      },
    ),
    EmitStageDeploying: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'DEPLOYING',
          stageName: $.next.stageName,
          stageStatus: 'DEPLOYING',
          operationId: $.deploy.operationId,
        }),
      ],
      { next: 'DeployStage' },
    ),
    DeployStage: runWorkflow(
      'DeployStageStateMachineArn',
      { name: $.deploy.operationId, input: $.deploy.workflowInput },
      { timeout: 11400, next: 'RecordStageDeployed' },
    ),
    RecordStageDeployed: lambdaTask(
      'RecordStageDeployed',
      { tenantId: $.tenantId, stackId: $.stackId, runId: $.runId, stageName: $.next.stageName },
      { result: (out) => ({ result: out }), resultPath: null, next: 'EmitStageDeployed' },
    ),
    EmitStageDeployed: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'DEPLOYING',
          stageName: $.next.stageName,
          stageStatus: 'SUCCEEDED',
          operationId: $.deploy.operationId,
        }),
      ],
      { next: 'PickNextStage' },
    ),
    RecordRunSucceeded: lambdaTask(
      'RecordRunEnd',
      { tenantId: $.tenantId, stackId: $.stackId, runId: $.runId, status: 'SUCCEEDED' },
      { result: (out) => ({ result: out }), resultPath: null, next: 'EmitRunSucceeded' },
    ),
    EmitRunSucceeded: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'SUCCEEDED',
        }),
      ],
      { end: true },
    ),
    RecordFailure: lambdaTask(
      'RecordRunFailure',
      { state: $ },
      {
        result: (out) => ({ reason: out.reason }),
        resultPath: $.failure,
        catch: false,
        next: 'EmitFailureEvents',
      },
    ),
    EmitFailureEvents: emitEvents(
      [
        event('Pipeline Run Status Change', {
          tenantId: $.tenantId,
          stackId: $.stackId,
          runId: $.runId,
          status: 'FAILED',
          error: $.failure.reason,
        }),
      ],
      { catch: false, next: 'RunFailed' },
    ),
    RunFailed: fail('RunFailed', 'The run failed; its record holds the reason'),
  },
});
