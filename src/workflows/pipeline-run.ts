import { MAX_WINDOW_WAIT_SECONDS } from '../domain/deploy-window';
import { keys } from '../store/keys';
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
  lambdaTask,
  N,
  on,
  pass,
  RETRY,
  runWorkflow,
  S,
  stateOf,
  succeed,
  type Value,
  updateItem,
  waitForToken,
  when,
  workflow,
} from './asl';
import type { RunState } from './state';

const $ = stateOf<RunState>();

const run = { tenantId: $.tenantId, stackId: $.stackId, runId: $.runId };
const runEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Pipeline Run Status Change', { ...run, status, ...extra });
const approvalEvent = (
  detailType: string,
  status: Value<string>,
  extra: Record<string, Value<unknown>> = {},
) =>
  event(detailType, {
    ...run,
    stageName: $.next.stageName,
    approvalId: $.approval.approvalId,
    status,
    ...extra,
  });
/** The run is DEPLOYING; its stage's deploy is `stageStatus`. */
const stageDeployEvent = (stageStatus: string) =>
  runEvent('DEPLOYING', { stageName: $.next.stageName, stageStatus, operationId: $.deploy.operationId });
/** A deploy that waits for a stage busy with another operation tries again for about 7 minutes. */
const STAGE_BUSY = { ErrorEquals: ['StageBusy'], IntervalSeconds: 20, MaxAttempts: 6, BackoffRate: 1.5 };
/**
 * A change set CloudFormation is still computing after the task's own 40 s wait: tried again 4
 * times (5 s, 10 s, 20 s, 40 s apart), about 5 minutes in all, then the run fails saying so.
 */
const CHANGE_SET_NOT_READY = {
  ErrorEquals: ['ChangeSetNotReady'],
  IntervalSeconds: 5,
  MaxAttempts: 4,
  BackoffRate: 2,
};

/** Takes the stage's lock and records the deploy's operation. */
const prepareStageDeploy = (next: string) =>
  lambdaTask(
    'PrepareStageDeploy',
    { ...run, stageName: $.next.stageName },
    {
      retry: [RETRY.lambda, STAGE_BUSY],
      result: ['operationId', 'workflowInput'],
      resultPath: $.deploy,
      catch: [on('RunSuperseded', $.stopError, 'RunSuperseded'), catchInto('RecordFailure')],
      next,
    },
  );

export default workflow({
  comment:
    "A pipeline run: build the commit (CodePipeline in the customer's account, resumed by its state-change event), or reuse its image when the stack's ECR repository has it already (IMMUTABLE, tagged by commit: a second push of the tag would fail), then move the image through the stack's stages in creation order. A stage that requires approval first waits on a task token (an approval record, an email and a Slack message with a single-use link; expiry after approvalTimeoutSeconds stops the run); then, outside the stage's deploy windows, on a task token that times out when the next window opens (an override wakes it). Each deploy is a deploy-stage execution (a stage update with the new image, under the stage's lock). Rejection, expiry, supersession or a failed deploy stop the run; earlier stages keep what they got. No overall timeout: approvals may wait for days on a task token, which costs no state transitions.",
  states: {
    FindBuiltImage: lambdaTask(
      'FindBuiltImage',
      { ...run, target: $.target },
      { result: ['found', 'imageUri', 'commitSha'], resultPath: $.built, next: 'IsImageBuilt' },
    ),
    IsImageBuilt: choice([when(is($.built.found, 'BooleanEquals', true), 'PromoteBuiltImage')], 'StartBuild'),
    PromoteBuiltImage: lambdaTask(
      'BeginPromotion',
      { ...run, imageUri: $.built.imageUri, commitSha: $.built.commitSha, reused: true },
      { next: 'EmitImageReused' },
    ),
    EmitImageReused: emitEvents([runEvent('IMAGE_REUSED', { imageUri: $.built.imageUri })], {
      next: 'PickNextStage',
    }),
    StartBuild: lambdaTask(
      'StartBuild',
      {
        ...run,
        pipelineName: $.pipelineName,
        target: $.target,
      },
      {
        result: ['pipelineExecutionId'],
        resultPath: $.build,
        next: 'EmitRunBuilding',
      },
    ),
    EmitRunBuilding: emitEvents([runEvent('BUILDING')], { next: 'WaitForBuild' }),
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
        ...run,
        pipelineName: $.pipelineName,
        target: $.target,
        pipelineExecutionId: $.build.pipelineExecutionId,
      },
      {
        result: ['status', 'reason', 'imageUri', 'commitSha'],
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
        ...run,
        imageUri: $.checked.imageUri,
        commitSha: $.checked.commitSha,
      },
      { next: 'PickNextStage' },
    ),
    PickNextStage: lambdaTask('PickNextStage', run, {
      result: ['done', 'stageName', 'requireApproval'],
      resultPath: $.next,
      next: 'HasNextStage',
    }),
    HasNextStage: choice(
      [when(is($.next.done, 'BooleanEquals', true), 'RecordRunSucceeded')],
      'NeedsApproval',
    ),
    NeedsApproval: choice(
      [when(is($.next.requireApproval, 'BooleanEquals', true), 'PlanStageDeploy')],
      'CheckDeployWindow',
    ),
    // The deploy planned before its approval, as a change set (issue 13 §3, src/tasks/deploy-plans.ts).
    PlanStageDeploy: lambdaTask(
      'PlanStageDeploy',
      { ...run, stageName: $.next.stageName },
      {
        retry: [RETRY.lambda, STAGE_BUSY],
        result: ['changeSetName', 'preview'],
        resultPath: $.planning,
        next: 'DescribeStageDeployPlan',
      },
    ),
    DescribeStageDeployPlan: lambdaTask(
      'DescribeStageDeployPlan',
      { ...run, stageName: $.next.stageName, preview: $.planning.preview },
      {
        comment:
          'Waits inside the task (at most 40 s) for CloudFormation to compute the change set, so the run takes the same transitions however long that is',
        retry: [RETRY.lambda, CHANGE_SET_NOT_READY],
        result: ['changes', 'summary'],
        resultPath: $.planned,
        next: 'CreateApproval',
      },
    ),
    CreateApproval: lambdaTask(
      'CreateApproval',
      {
        ...run,
        stageName: $.next.stageName,
        approvalTimeoutSeconds: $.approvalTimeoutSeconds,
        changes: $.planned.changes,
      },
      {
        result: ['approvalId', 'expiresAt'],
        resultPath: $.approval,
        catch: [on('RunSuperseded', $.stopError, 'RunSuperseded'), catchInto('RecordFailure')],
        next: 'EmitApprovalRequested',
      },
    ),
    EmitApprovalRequested: emitEvents(
      [
        approvalEvent('Approval Requested', 'PENDING', {
          expiresAt: $.approval.expiresAt,
          changes: $.planned.summary,
        }),
        runEvent('WAITING_FOR_APPROVAL', {
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
          on('ApprovalReplanned', $.replanError, 'EmitApprovalReplanned'),
          on('States.Timeout', $.stopError, 'ExpireApproval'),
          catchInto('RecordFailure'),
        ],
        next: 'EmitApprovalApproved',
      },
    ),
    EmitApprovalApproved: emitEvents(
      [
        approvalEvent('Approval Decided', 'APPROVED', {
          decidedBy: $.decision.decidedBy,
          approvedBy: $.decision.approvedBy,
        }),
      ],
      { next: 'CheckDeployWindow' },
    ),
    CheckStageDeployPlan: lambdaTask(
      'CheckStageDeployPlan',
      { ...run, stageName: $.next.stageName },
      { result: ['current', 'reason'], resultPath: $.planCheck, next: 'IsStageDeployPlanCurrent' },
    ),
    IsStageDeployPlanCurrent: choice(
      [when(is($.planCheck.current, 'BooleanEquals', true), 'EmitStageDeploying')],
      'ReleaseStaleStageDeploy',
    ),
    // A stale plan (the stack or the stage's settings changed since): planned again, approved again.
    ReleaseStaleStageDeploy: lambdaTask(
      'ReleaseStaleStageDeploy',
      { ...run, stageName: $.next.stageName },
      { next: 'MarkApprovalReplanned' },
    ),
    MarkApprovalReplanned: updateItem(itemKey(keys.approval, $.tenantId, $.approval.approvalId), {
      update: 'SET #status = :replanned, closedReason = :reason',
      condition: '#status = :approved',
      names: { '#status': 'status' },
      values: { ':replanned': S('REPLANNED'), ':approved': S('APPROVED'), ':reason': S($.planCheck.reason) },
      next: 'EmitApprovalReplanned',
    }),
    EmitApprovalReplanned: emitEvents([approvalEvent('Approval Decided', 'REPLANNED')], {
      next: 'DiscardStalePlan',
    }),
    DiscardStalePlan: lambdaTask(
      'DiscardStageDeployPlan',
      { ...run, stageName: $.next.stageName },
      { next: 'PlanStageDeploy' },
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
      update: 'SET #status = :expired, decidedAt = :now REMOVE gsi1pk, gsi1sk, linkNonce, emailLinks',
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
    EmitApprovalEnded: emitEvents([approvalEvent('Approval Decided', $.stop.approval)], { next: 'StopRun' }),
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
        ...run,
        status: $.stop.runStatus,
        reason: $.stop.reason,
        stageName: $.next.stageName,
        stageStatus: $.stop.stageStatus,
      },
      { next: 'EmitRunStopped' },
    ),
    EmitRunStopped: emitEvents(
      [
        runEvent($.stop.runStatus, {
          stageName: $.next.stageName,
          stageStatus: $.stop.stageStatus,
          reason: $.stop.reason,
        }),
      ],
      { next: 'DiscardStageDeployPlan' },
    ),
    DiscardStageDeployPlan: lambdaTask(
      'DiscardStageDeployPlan',
      { ...run, stageName: $.next.stageName },
      {
        comment:
          'The planned change set of a deploy that will not happen; best-effort: one left behind is deleted when another change set of the stack is executed',
        catch: [catchInto('RunStopped', $.discardError)],
        next: 'RunStopped',
      },
    ),
    RunStopped: succeed("Stopped on purpose (rejected, expired, superseded): the run's record says why"),
    // Deploy windows (README "Deploy windows"): after the approval, before the deploy.
    CheckDeployWindow: lambdaTask(
      'CheckDeployWindow',
      { ...run, stageName: $.next.stageName },
      {
        result: ['decision', 'opensAt', 'waitSeconds', 'overriddenBy', 'reason'],
        resultPath: $.window,
        catch: [
          on('RunSuperseded', $.stopError, 'RunSuperseded'),
          on('WindowWaitExpired', $.stopError, 'WindowWaitExpired'),
          catchInto('RecordFailure'),
        ],
        next: 'ChooseWindowOutcome',
      },
    ),
    ChooseWindowOutcome: choice(
      [
        when(is($.window.decision, 'StringEquals', 'WAIT'), 'EmitRunWaitingForWindow'),
        when(is($.window.decision, 'StringEquals', 'OVERRIDDEN'), 'EmitWindowOverridden'),
      ],
      'PrepareStageDeploy',
    ),
    EmitRunWaitingForWindow: emitEvents(
      [
        runEvent('WAITING_FOR_WINDOW', {
          stageName: $.next.stageName,
          stageStatus: 'WAITING_FOR_WINDOW',
          opensAt: $.window.opensAt,
        }),
      ],
      { next: 'WaitForWindow' },
    ),
    WaitForWindow: waitForToken(
      'WaitForWindow',
      { ...run, stageName: $.next.stageName, timeoutSeconds: $.window.waitSeconds },
      {
        comment:
          'Times out when the window opens (the ordinary way on); an override or a newer run wakes it earlier. Either way the window is looked at again.',
        timeoutPath: $.window.waitSeconds,
        catch: [
          on('States.Timeout', null, 'CheckDeployWindow'),
          on('RunSuperseded', $.stopError, 'RunSuperseded'),
          catchInto('RecordFailure'),
        ],
        next: 'CheckDeployWindow',
      },
    ),
    EmitWindowOverridden: emitEvents(
      [
        event('Deploy Window Overridden', {
          ...run,
          stageName: $.next.stageName,
          overriddenBy: $.window.overriddenBy,
          reason: $.window.reason,
          opensAt: $.window.opensAt,
        }),
      ],
      { next: 'PrepareStageDeploy' },
    ),
    WindowWaitExpired: pass(
      {
        runStatus: 'STOPPED',
        stageStatus: 'EXPIRED',
        reason: format(
          `the deploy window of {} did not open within ${MAX_WINDOW_WAIT_SECONDS / 86400} days of the run reaching it`,
          $.next.stageName,
        ),
      },
      { resultPath: $.stop, next: 'StopRun' },
    ),
    PrepareStageDeploy: prepareStageDeploy('IsStageDeployPlanned'),
    // A deploy planned before its approval (issue 13 §3) is checked under the stage's lock before its
    // change set is executed: stale, it is planned again and approved again.
    IsStageDeployPlanned: choice(
      [when(is($.deploy.workflowInput.action, 'StringEquals', 'EXECUTE_CHANGE_SET'), 'CheckStageDeployPlan')],
      'EmitStageDeploying',
    ),
    EmitStageDeploying: emitEvents([stageDeployEvent('DEPLOYING')], { next: 'DeployStage' }),
    DeployStage: runWorkflow(
      'DeployStageStateMachineArn',
      { name: $.deploy.operationId, input: $.deploy.workflowInput },
      { timeout: 11400, next: 'RecordStageDeployed' },
    ),
    RecordStageDeployed: lambdaTask(
      'RecordStageDeployed',
      { ...run, stageName: $.next.stageName },
      { next: 'EmitStageDeployed' },
    ),
    EmitStageDeployed: emitEvents([stageDeployEvent('SUCCEEDED')], { next: 'PickNextStage' }),
    RecordRunSucceeded: lambdaTask(
      'RecordRunEnd',
      { ...run, status: 'SUCCEEDED' },
      { next: 'EmitRunSucceeded' },
    ),
    EmitRunSucceeded: emitEvents([runEvent('SUCCEEDED')], { end: true }),
    RecordFailure: lambdaTask(
      'RecordRunFailure',
      { state: $ },
      {
        result: ['reason'],
        resultPath: $.failure,
        catch: false,
        next: 'EmitFailureEvents',
      },
    ),
    EmitFailureEvents: emitEvents([runEvent('FAILED', { error: $.failure.reason })], {
      catch: false,
      next: 'RunFailed',
    }),
    RunFailed: fail('RunFailed', 'The run failed; its record holds the reason'),
  },
});
