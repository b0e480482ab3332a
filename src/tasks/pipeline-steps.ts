import { approvalMessage } from '../app/approval-links';
import { targetOf } from '../app/accounts';
import { buildWait, tokenArrived } from '../app/waits';
import type { PipelineExecutionStatus } from '../cloud/ports';
import { newId } from '../domain/ids';
import { newLinkNonce } from '../domain/link-token';
import type { Operation } from '../domain/operation';
import {
  imageUriOf,
  pipelineCfnStackNameOf,
  pipelineNameOf,
  webhookSecretNameOf,
  type Run,
  type RunStage,
  type WebhookSecret,
} from '../domain/pipeline';
import type { DeployChanges } from '../domain/changes';
import { deploymentIdOf, newDeployment } from '../domain/deployment';
import type { Stack } from '../domain/stack';
import { deployActionOf, settingsFor, type Stage } from '../domain/stage';
import { approvalPolicyOf, linkRecipients, ONE_APPROVAL, runAuthor } from '../domain/approval-policy';
import type { PipelineWorkflowInput, RunWorkflowInput, StageWorkflowInput } from '../domain/workflow-input';
import { errorFields, log } from '../log';
import type { StoredApproval } from '../store/approvals';
import { renderPipelineTemplate } from '../templates/pipeline';
import type { TaskDeps } from './deps';
import { failureReason } from './stage-steps';

type Deps = Pick<
  TaskDeps,
  | 'store'
  | 'pipelines'
  | 'approvals'
  | 'builds'
  | 'images'
  | 'workflows'
  | 'notifications'
  | 'platformSecrets'
  | 'pipelineSettings'
>;

/** An error the state machine matches by name (Lambda's errorType). */
export const named = (name: string, message: string) => Object.assign(new Error(message), { name });

const accountOf = (roleArn: string) => /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1];

// ---- create-pipeline --------------------------------------------------------------------------

export type PipelineRef = Pick<PipelineWorkflowInput, 'tenantId' | 'stackId'>;

export async function renderPipeline(ref: PipelineRef, deps: Pick<Deps, 'store'>) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const template = renderPipelineTemplate({
    stackId: stack.stackId,
    stackName: stack.name,
    repository: stack.repository,
    branch: stack.branch,
  });
  return {
    templateBody: JSON.stringify(template),
    tags: {
      'tinystacks:stack-id': stack.stackId,
      'tinystacks:stack': stack.name,
      'tinystacks:part': 'pipeline',
    },
  };
}

export async function recordPipelineReady(
  input: PipelineRef & { outputs: Record<string, string> },
  deps: Pick<Deps, 'pipelines'>,
) {
  await deps.pipelines.setStackPipeline(input.tenantId, input.stackId, {
    status: 'ACTIVE',
    pipelineName: input.outputs.PipelineName ?? pipelineNameOf(input.stackId),
    cfnStackName: pipelineCfnStackNameOf(input.stackId),
    ...(input.outputs.ImageRepositoryUri ? { imageRepositoryUri: input.outputs.ImageRepositoryUri } : {}),
  });
  return {};
}

export async function recordPipelineFailure(
  input: PipelineRef & { error?: { Error?: string; Cause?: string } },
  deps: Pick<Deps, 'pipelines'>,
) {
  const reason = failureReason(input.error).slice(0, 2000);
  await deps.pipelines.setStackPipeline(input.tenantId, input.stackId, {
    status: 'FAILED',
    pipelineName: pipelineNameOf(input.stackId),
    cfnStackName: pipelineCfnStackNameOf(input.stackId),
    error: reason,
  });
  return { reason };
}

// ---- pipeline-run: the build ------------------------------------------------------------------

export type RunRef = Pick<RunWorkflowInput, 'tenantId' | 'stackId' | 'runId'>;

export type BuildRef = RunRef & Pick<RunWorkflowInput, 'pipelineName' | 'target'>;

/** A run builds, or reuses an image, only on a pipeline that is there, of a stack not being deleted. */
function assertPipelineReady(stack: Stack): void {
  if (stack.status === 'DELETING' || stack.status === 'DELETE_FAILED')
    throw named('StackDeleting', `the stack is being deleted (${stack.status}): the run stops`);
  if (stack.pipeline && stack.pipeline.status !== 'ACTIVE') {
    throw named(
      'PipelineNotReady',
      stack.pipeline.status === 'CREATING'
        ? 'the stack’s pipeline is still being created: push again once it is ACTIVE'
        : `the stack’s pipeline failed to be created (retry: POST /v1/stacks/${stack.stackId}/pipeline/retry): ${stack.pipeline.error ?? 'unknown reason'}`,
    );
  }
}

const NOT_BUILT = { found: false, imageUri: '', commitSha: '' };

/**
 * The run's commit, if its image is in the stack's repository already: the repository is IMMUTABLE
 * and tagged by commit, so a second build of the commit would fail at its push. A run of the branch
 * head (no commit given) learns its commit only from the build, so it builds.
 */
export async function findBuiltImage(
  ref: RunRef & Pick<RunWorkflowInput, 'target'>,
  deps: Pick<Deps, 'store' | 'pipelines' | 'images'>,
) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  assertPipelineReady(stack);
  const run = await deps.pipelines.requireRun(ref.tenantId, ref.runId);
  const repository = stack.pipeline?.imageRepositoryUri;
  const sha = run.commit.sha;
  if (!repository || !sha) return NOT_BUILT;
  const image = await deps.images.findImage(await targetOf(deps, ref.tenantId, ref.target), repository, sha);
  return image ? { found: true, imageUri: imageUriOf(repository, sha), commitSha: sha } : NOT_BUILT;
}

/** Starts the pipeline on the run's commit (or the branch head), once per run (clientRequestToken). */
export async function startBuild(ref: BuildRef, deps: Pick<Deps, 'store' | 'pipelines' | 'builds'>) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  assertPipelineReady(stack);
  const run = await deps.pipelines.requireRun(ref.tenantId, ref.runId);
  const target = await targetOf(deps, ref.tenantId, ref.target);
  const { executionId } = await deps.builds.start(target, ref.pipelineName, {
    ...(run.commit.sha ? { commitSha: run.commit.sha } : {}),
    clientRequestToken: ref.runId,
  });
  await deps.pipelines.putExecutionLookup(ref.target.region, ref.pipelineName, executionId, {
    tenantId: ref.tenantId,
    stackId: ref.stackId,
    runId: ref.runId,
    ...(accountOf(ref.target.roleArn) ? { account: accountOf(ref.target.roleArn)! } : {}),
  });
  await deps.pipelines.setRunBuilding(ref.tenantId, ref.runId, executionId);
  return { pipelineExecutionId: executionId };
}

/** Parks the run's task token until the pipeline's state-change event; resumes at once if it came first. */
export async function waitForBuild(
  input: { taskToken: string; tenantId: string; runId: string; pipelineExecutionId: string },
  deps: Pick<Deps, 'pipelines' | 'workflows'>,
) {
  const { tenantId, runId, pipelineExecutionId } = input;
  const run = await deps.pipelines.parkBuildToken(tenantId, runId, pipelineExecutionId, input.taskToken);
  await tokenArrived(
    buildWait(deps.pipelines),
    run,
    () => named('BuildWaitMissing', `run ${runId} is not building ${pipelineExecutionId}`),
    deps.workflows,
  );
}

const BUILD_STATUS: Record<PipelineExecutionStatus, 'Succeeded' | 'InProgress' | 'Failed'> = {
  Succeeded: 'Succeeded',
  InProgress: 'InProgress',
  Failed: 'Failed',
  Stopped: 'Failed',
  Superseded: 'Failed',
};

/** What the build really did, read from the customer's account: the event only says when to look. */
export async function checkBuild(
  ref: BuildRef & { pipelineExecutionId: string },
  deps: Pick<Deps, 'store' | 'builds'>,
) {
  const target = await targetOf(deps, ref.tenantId, ref.target);
  const execution = await deps.builds.getExecution(target, ref.pipelineName, ref.pipelineExecutionId);
  const status = BUILD_STATUS[execution.status] ?? 'Failed';
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const repository = stack.pipeline?.imageRepositoryUri;
  if (status === 'Succeeded' && (!execution.commitSha || !repository)) {
    return {
      status: 'Failed',
      reason: 'the build succeeded but named no commit or image repository',
      imageUri: '',
      commitSha: '',
    };
  }
  return {
    status,
    reason:
      status === 'Failed'
        ? `the build ${execution.status.toLowerCase()}: ${execution.reason ?? 'see the pipeline in the AWS console'}`
        : '',
    imageUri: status === 'Succeeded' ? imageUriOf(repository!, execution.commitSha!) : '',
    commitSha: execution.commitSha ?? '',
  };
}

// ---- pipeline-run: the stages -----------------------------------------------------------------

/**
 * The stack's stages, in creation order, are the run's stages: snapshotted when the build succeeded,
 * or when the run found its commit's image built already (`reused`).
 */
export async function beginPromotion(
  input: RunRef & { imageUri: string; commitSha: string; reused?: boolean },
  deps: Pick<Deps, 'store' | 'pipelines'>,
) {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.store.listStages(input.tenantId, input.stackId, { limit: 100, nextToken });
    names.push(...page.items.map((stage) => stage.name));
    nextToken = page.nextToken;
  } while (nextToken);
  await deps.pipelines.beginPromotion(input.tenantId, input.runId, names, input.imageUri, input.commitSha, {
    reused: input.reused === true,
  });
  return { stageCount: names.length };
}

/** The first stage the run has not dealt with yet; stages deleted since the snapshot are skipped. */
export async function pickNextStage(input: RunRef, deps: Pick<Deps, 'store' | 'pipelines'>) {
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  for (const name of run.stageOrder) {
    if (run.stages[name]?.status !== 'PENDING') continue;
    const stage = await deps.store.getStage(input.tenantId, input.stackId, name);
    if (!stage) {
      await deps.pipelines.updateRunStage(input.tenantId, input.runId, name, { status: 'SKIPPED' });
      continue;
    }
    return { done: false, stageName: name, requireApproval: approvalPolicyOf(stage) !== null };
  }
  return { done: true, stageName: '', requireApproval: false };
}

export interface StageStep extends RunRef {
  stageName: string;
}

/**
 * Records the approval a stage waits for. A run that reaches a stage's approval supersedes older
 * runs waiting at the same stage (approving them later would deploy older code over newer), and is
 * itself superseded if a newer run already waits there.
 */
export async function createApproval(
  input: StageStep & { approvalTimeoutSeconds: number; changes?: DeployChanges },
  deps: Pick<Deps, 'store' | 'pipelines' | 'approvals' | 'workflows'>,
) {
  const stack = await deps.store.requireStack(input.tenantId, input.stackId);
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  let nextToken: string | undefined;
  do {
    const page = await deps.approvals.listPendingApprovals(input.tenantId, { limit: 100, nextToken });
    for (const other of page.items) {
      if (
        other.stackId !== input.stackId ||
        other.stageName !== input.stageName ||
        other.runId === input.runId
      )
        continue;
      if (other.runId > input.runId)
        throw named('RunSuperseded', `run ${other.runId} already waits at ${input.stageName}`);
      const settled = await deps.approvals.settleApproval(input.tenantId, other.approvalId, {
        status: 'SUPERSEDED',
        decidedBy: input.runId,
      });
      if (settled?.taskToken)
        await deps.workflows.sendTaskFailure(
          settled.taskToken,
          'ApprovalSuperseded',
          `superseded by run ${input.runId}`,
        );
    }
    nextToken = page.nextToken;
  } while (nextToken);

  const now = new Date();
  const approval: StoredApproval = {
    tenantId: input.tenantId,
    approvalId: newId('apr'),
    stackId: input.stackId,
    stackName: stack.name,
    runId: input.runId,
    stageName: input.stageName,
    commit: run.commit,
    requestedBy: run.requestedBy,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.approvalTimeoutSeconds * 1000).toISOString(),
    status: 'PENDING',
    linkNonce: newLinkNonce(),
    ...(input.changes ? { changes: input.changes } : {}),
    ...(await approvalPolicyFields(input, stack, run, deps)),
  };
  await deps.approvals.putApproval(approval);
  await recordReplacedApproval(input, run.stages[input.stageName]?.approvalId, approval.approvalId, deps);
  await deps.pipelines.updateRunStage(
    input.tenantId,
    input.runId,
    input.stageName,
    { status: 'WAITING_FOR_APPROVAL', approvalId: approval.approvalId, startedAt: approval.requestedAt },
    'WAITING_FOR_APPROVAL',
  );
  return { approvalId: approval.approvalId, expiresAt: approval.expiresAt };
}

/**
 * A stage's deploy planned again (issue 13 §3) asks for a new approval: the one it replaces, closed
 * REPLANNED (by the run, or by a settings change that joined the deploy), names its successor, and
 * the run's stage lists it with the reason.
 */
async function recordReplacedApproval(
  input: StageStep,
  previousId: string | undefined,
  approvalId: string,
  deps: Pick<Deps, 'pipelines' | 'approvals'>,
) {
  if (!previousId || previousId === approvalId) return;
  const previous = await deps.approvals.markReplacedBy(input.tenantId, previousId, approvalId);
  if (!previous) return;
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  const replanned = run.stages[input.stageName]?.replannedApprovals ?? [];
  if (replanned.some((entry) => entry.approvalId === previousId)) return;
  await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, {
    replannedApprovals: [
      ...replanned,
      {
        approvalId: previousId,
        reason: previous.closedReason ?? 'planned again',
        at: new Date().toISOString(),
      },
    ],
  });
}

/**
 * What the stage's approval policy puts on an approval: the policy as it is now (a change while
 * the run waits does not move the goalposts), the run's author, and a single-use link of its own
 * for each recipient (src/domain/approval-policy.ts, linkRecipients).
 */
async function approvalPolicyFields(
  input: StageStep,
  stack: Stack,
  run: Run,
  deps: Pick<Deps, 'store'>,
): Promise<Pick<StoredApproval, 'policy' | 'author' | 'emailLinks'>> {
  const stage = await deps.store.getStage(input.tenantId, input.stackId, input.stageName);
  const policy = (stage && approvalPolicyOf(stage)) ?? ONE_APPROVAL;
  const recipients = linkRecipients(stack.notifications?.emails ?? [], policy);
  return {
    policy,
    author: run.author ?? runAuthor([run.requestedBy], []),
    emailLinks: Object.fromEntries(recipients.map((email) => [newLinkNonce(), email])),
  };
}

/** The stack's Slack incoming webhook, kept with its webhook secret; unreadable, it is logged and skipped. */
async function slackWebhookOf(
  stackId: string,
  deps: Pick<Deps, 'platformSecrets' | 'pipelineSettings'>,
): Promise<string | undefined> {
  try {
    const stored = await deps.platformSecrets.get(
      webhookSecretNameOf(deps.pipelineSettings.secretPrefix, stackId),
    );
    return stored ? (JSON.parse(stored) as WebhookSecret).slackWebhookUrl : undefined;
  } catch (error) {
    log.error('approval request not sent', { stackId, channel: 'slack', ...errorFields(error) });
    return undefined;
  }
}

/**
 * Sends the approval request (email, Slack), just before WaitForApproval parks the task token: a
 * click in that instant answers 409 "not waiting yet, try again". Each email recipient gets a
 * message of their own with a single-use link bound to them (CreateApproval chose them); Slack gets
 * one message whose buttons any member of the channel may click. Its own task so that SES, the
 * largest client any function would carry, is bundled by this one function only. One message
 * failing does not keep the others from going out, and none fails the run: the approval stays
 * decidable in the dashboard.
 */
export async function sendApprovalRequest(
  input: { tenantId: string; approvalId: string },
  deps: Pick<Deps, 'store' | 'approvals' | 'notifications' | 'platformSecrets' | 'pipelineSettings'>,
) {
  const approval = await deps.approvals.getApproval(input.tenantId, input.approvalId);
  if (approval?.status !== 'PENDING') return { sent: [] };
  const stack = await deps.store.requireStack(input.tenantId, approval.stackId);
  const slackUrl = stack.notifications?.slack ? await slackWebhookOf(stack.stackId, deps) : undefined;
  const sends: { channel: 'email' | 'slack'; send: () => Promise<void> }[] = [];
  for (const [nonce, to] of Object.entries(approval.emailLinks ?? {}))
    sends.push({
      channel: 'email',
      send: async () => deps.notifications.email([to], await approvalMessage(deps, approval, nonce)),
    });
  if (slackUrl)
    sends.push({
      channel: 'slack',
      send: async () => deps.notifications.slack(slackUrl, await approvalMessage(deps, approval)),
    });
  const sent = new Set<'email' | 'slack'>();
  // One after another: SES's sending rate is per second, and a request has at most 35 recipients.
  for (const { channel, send } of sends) {
    try {
      await send();
      sent.add(channel);
    } catch (error) {
      log.error('approval request not sent', {
        approvalId: approval.approvalId,
        channel,
        ...errorFields(error),
      });
    }
  }
  return { sent: [...sent] };
}

/**
 * Parks the task token on the approval. An approval settled before its token arrived (superseded
 * by a newer run, or rejected) ends the wait at once: the function's error is the task's error,
 * which the state machine catches by name.
 */
export async function waitForApproval(
  input: {
    taskToken: string;
    tenantId: string;
    approvalId: string;
    /** The wait's own limit (its state's TimeoutSecondsPath), which the embedded runtime reads here. */
    timeoutSeconds?: number;
  },
  deps: Pick<Deps, 'approvals'>,
) {
  const approval = await deps.approvals.parkApprovalToken(input.tenantId, input.approvalId, input.taskToken);
  if (approval) return;
  const current = await deps.approvals.getApproval(input.tenantId, input.approvalId);
  const error =
    current?.status === 'REJECTED'
      ? 'ApprovalRejected'
      : current?.status === 'REPLANNED'
        ? 'ApprovalReplanned'
        : 'ApprovalSuperseded';
  throw named(
    error,
    `the approval was ${current?.status.toLowerCase() ?? 'removed'} before the run waited for it`,
  );
}

/**
 * Takes the stage's lock for this run's image and records the deploy as an UPDATE_STAGE operation
 * (its input names the run and the image), which the deploy-stage workflow then runs like any other.
 */
export async function prepareStageDeploy(input: StageStep, deps: Pick<Deps, 'store' | 'pipelines'>) {
  const stack = await deps.store.requireStack(input.tenantId, input.stackId);
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  const stage = await deps.store.getStage(input.tenantId, input.stackId, input.stageName);
  if (!stage) throw named('StageMissing', `stage ${input.stageName} was deleted during the run`);
  const existing = run.stages[input.stageName]?.operationId;
  const operationId = existing ?? newId('op');
  const now = new Date().toISOString();
  const operation: Operation = {
    tenantId: input.tenantId,
    operationId,
    type: 'UPDATE_STAGE',
    status: 'PENDING',
    stackId: input.stackId,
    stageName: input.stageName,
    input: { runId: input.runId, imageUri: run.imageUri, commit: run.commit.sha },
    createdAt: now,
    updatedAt: now,
  };
  if (!existing) {
    // Recorded on the run first, so a retry of this task reuses the same operation.
    await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, { operationId });
  }
  const locked = await deps.pipelines.lockStageForDeploy(stage, operationId, run.imageUri!, input.runId);
  if (locked === 'superseded')
    throw named('RunSuperseded', `a newer run already deployed ${input.stageName}`);
  if (locked === 'missing')
    throw named('StageMissing', `stage ${input.stageName} was deleted during the run`);
  if (locked !== 'locked')
    throw named('StageBusy', `stage ${input.stageName} is busy with operation ${locked.busyWith}`);
  // The deploy is a deployment of the stage: this run's image with the stage's settings, read
  // again under the lock, which keeps them as they are until the deploy ends.
  const held = await deps.store.requireStage(input.tenantId, input.stackId, input.stageName);
  const deployment = newDeployment(held, operation, {
    imageUri: run.imageUri!,
    settings: settingsFor(held, operationId),
    runId: input.runId,
    ...(run.commit.sha ? { commit: run.commit.sha } : {}),
  });
  await deps.store.deployments.put(deployment);
  await deps.store.putOperation(operation).catch((error: unknown) => {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  });
  await deps.pipelines.updateRunStage(
    input.tenantId,
    input.runId,
    input.stageName,
    { status: 'DEPLOYING', startedAt: run.stages[input.stageName]?.startedAt ?? now },
    'DEPLOYING',
  );
  // A deploy planned before its approval executes its change set (issue 13 §3, ./deploy-plans.ts).
  const plan = run.stages[input.stageName]?.plan;
  const planned = plan?.status === 'PLANNED' && plan.changeSetName ? plan.changeSetName : undefined;
  const workflowInput: StageWorkflowInput = {
    tenantId: input.tenantId,
    stackId: input.stackId,
    stageName: input.stageName,
    operationId,
    operationType: 'UPDATE_STAGE',
    action: planned ? 'EXECUTE_CHANGE_SET' : deployActionOf(stage),
    ...(planned ? { changeSetName: planned } : {}),
    cfnStackName: stage.cfnStackName,
    target: { roleArn: stack.roleArn, region: stage.region },
    deploymentId: deployment.deploymentId,
  };
  return { operationId, workflowInput };
}

export async function recordStageDeployed(input: StageStep, deps: Pick<Deps, 'pipelines'>) {
  await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, {
    status: 'SUCCEEDED',
    endedAt: new Date().toISOString(),
  });
  return {};
}

export async function recordRunEnd(
  input: RunRef & {
    status: 'SUCCEEDED' | 'STOPPED' | 'SUPERSEDED';
    reason?: string;
    stageName?: string;
    stageStatus?: RunStage['status'];
  },
  deps: Pick<Deps, 'pipelines' | 'store'>,
) {
  const ended = await deps.pipelines.endRun(input.tenantId, input.runId, input.status, {
    ...(input.reason ? { error: input.reason } : {}),
    ...(input.stageName ? { stageName: input.stageName } : {}),
    ...(input.stageStatus ? { stageStatus: input.stageStatus } : {}),
  });
  if (ended && input.stageName && input.reason)
    await endHeldSettings(ended, input.stageName, input.reason, deps);
  return {};
}

/**
 * A run stopped before a deploy that settings had joined while it waited for approval (issue 13
 * §3, src/app/deploy-plans.ts): that operation ends FAILED with the run's reason, and the settings
 * it held become the stage's failedChange (asked, not deployed, and why).
 */
async function endHeldSettings(run: Run, stageName: string, reason: string, deps: Pick<Deps, 'store'>) {
  const operationId = run.stages[stageName]?.operationId;
  if (!operationId) return;
  const operation = await deps.store.getOperation(run.tenantId, operationId);
  if (operation?.status !== 'PENDING') return;
  const why = `not deployed: ${reason}`;
  await deps.store.failPendingChange(
    { tenantId: run.tenantId, stackId: run.stackId, name: stageName },
    operationId,
    why,
  );
  await deps.store.finishOperation(run.tenantId, operationId, 'FAILED', why);
}

/** The whole state of the execution when it failed (ids and outcomes only). */
export interface RunFailureInput {
  state: RunRef & {
    error?: { Error?: string; Cause?: string };
    next?: { stageName?: string };
    deploy?: { operationId?: string };
  };
}

/**
 * Why the run failed, on the run and the stage it failed at. A deploy that failed reports its
 * operation's reason and leaves the stage on its previous image; a deploy that never started
 * gives its stage back. Earlier stages keep what they deployed.
 */
export async function recordRunFailure(input: RunFailureInput, deps: Pick<Deps, 'store' | 'pipelines'>) {
  const { state } = input;
  const stageName = state.next?.stageName || undefined;
  const operationId = state.deploy?.operationId;
  let reason = failureReason(state.error);
  if (operationId) {
    const operation = await deps.store.getOperation(state.tenantId, operationId);
    const stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'> = {
      tenantId: state.tenantId,
      stackId: state.stackId,
      name: stageName ?? operation?.stageName ?? '',
    };
    if (operation?.status === 'PENDING') {
      await deps.store.finishOperation(state.tenantId, operationId, 'FAILED', reason.slice(0, 2000));
      // Its workflow never started: nothing was deployed.
      const deploymentId = deploymentIdOf(operationId);
      await deps.store.deployments.forget({ tenantId: state.tenantId, stackId: state.stackId, deploymentId });
      await deps.store.releaseStageLock(stage, operationId, 'ACTIVE');
    } else if (operation?.error) {
      reason = `deploying to ${stage.name} failed: ${operation.error}`;
    }
    const run = await deps.pipelines.getRun(state.tenantId, state.runId);
    if (run?.imageUri) await deps.pipelines.revertStageImage(stage, run.imageUri);
  }
  reason = reason.slice(0, 2000);
  await deps.pipelines.endRun(state.tenantId, state.runId, 'FAILED', {
    error: reason,
    ...(stageName ? { stageName, stageStatus: 'FAILED' as const } : {}),
  });
  return { reason };
}
