/**
 * A stage behind an approval is deployed as planned (issue 13 §3): before the approval is asked
 * for, the deploy is rendered exactly as the deploy will render it and submitted as a CloudFormation
 * change set, which is not executed; the approval shows what it changes; after the approval, the
 * plan is checked (the stack and the stage's settings as planned) and that very change set is
 * executed by the deploy-stage workflow. A stale plan is planned again, with a new approval.
 */
import { createHash } from 'node:crypto';
import { targetOf } from '../app/accounts';
import { CloudError } from '../cloud/errors';
import type { ChangeSetDescription, StackCapability } from '../cloud/ports';
import {
  changesSummary,
  commitCount,
  commitOfImage,
  compareUrlOf,
  containerOf,
  environmentChanges,
  resourcesOf,
  type DeployChanges,
  type PushRecord,
} from '../domain/changes';
import { newId } from '../domain/ids';
import { changeSetNameOf, TERMINAL_RUN_STATUSES, type DeployPlan, type Run } from '../domain/pipeline';
import { errorFields, log } from '../log';
import type { StoredRun } from '../store/pipelines';
import type { TaskDeps } from './deps';
import { named, type StageStep } from './pipeline-steps';
import { clientRequestToken } from './stack-calls';
import { renderStageWith } from './stage-steps';

type Deps = Pick<TaskDeps, 'store' | 'pipelines' | 'databases' | 'stacks'>;
type PlanDeps = Deps & Pick<TaskDeps, 'templates'>;

/** Stage templates create the ECS task and execution roles (as UpdateStack is told). */
const CAPABILITIES: StackCapability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

const hashOf = (templateBody: string) => createHash('sha256').update(templateBody).digest('hex');

/** The run, its stage record and the account the stage's stack lives in. */
async function contextOf(input: StageStep, deps: Pick<TaskDeps, 'store' | 'pipelines'>) {
  const stack = await deps.store.requireStack(input.tenantId, input.stackId);
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  const stage = await deps.store.getStage(input.tenantId, input.stackId, input.stageName);
  if (!stage) throw named('StageMissing', `stage ${input.stageName} was deleted during the run`);
  const account = await targetOf(deps, input.tenantId, { roleArn: stack.roleArn, region: stage.region });
  return { stack, run, stage, account, runStage: run.stages[input.stageName] };
}

const stageRef = (input: StageStep, operationId: string) => ({
  tenantId: input.tenantId,
  stackId: input.stackId,
  stageName: input.stageName,
  operationId,
});

/** The stack's recent pushes (newest runs first, one page): enough to count commits along a chain of them. */
async function recentPushes(deps: Pick<TaskDeps, 'pipelines'>, run: Run): Promise<PushRecord[]> {
  const page = await deps.pipelines.listRuns(run.tenantId, run.stackId, { limit: 50 });
  return page.items.flatMap((other: StoredRun) =>
    other.push && other.commit.sha
      ? [
          {
            before: other.push.before,
            after: other.commit.sha,
            ...(other.push.commitCount !== undefined ? { count: other.push.commitCount } : {}),
            ...(other.push.forced ? { forced: true } : {}),
          },
        ]
      : [],
  );
}

/**
 * Plans the run's deploy of the stage: renders the template with the run's image and the deploy's
 * operation id (reserved here, on the run, so the deploy renders the same), compares its container
 * with the one the stack runs, and submits it as a change set, not executed. A stage busy with
 * another change is planned once that is done (StageBusy, retried). A stage whose stack was never
 * created has nothing to plan against: the deploy creates it (no change set).
 */
export async function planStageDeploy(input: StageStep, deps: PlanDeps) {
  const { stack, run, stage, account, runStage } = await contextOf(input, deps);
  if (stage.lock)
    throw named('StageBusy', `stage ${stage.name} is busy with operation ${stage.lock.operationId}`);
  const previous = runStage?.plan;
  // A retry of this task finds its own plan (PLANNED) and names the same change set.
  const number = previous?.status === 'PLANNED' ? previous.number : (previous?.number ?? 0) + 1;
  const operationId = runStage?.operationId ?? newId('op');
  if (!runStage?.operationId)
    await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, { operationId });
  const rendered = await renderStageWith(stageRef(input, operationId), deps, run.imageUri);
  const hasStack = !(stage.status === 'FAILED' && Object.keys(stage.outputs).length === 0);
  const plan: DeployPlan = {
    number,
    changeSetName: hasStack ? changeSetNameOf(input.runId, input.stageName, number) : '',
    operationId,
    templateHash: hashOf(rendered.templateBody),
    status: 'PLANNED',
  };
  await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, { plan });

  let deployedTemplate: string | undefined;
  if (hasStack) {
    const described = await deps.stacks.describe(account, stage.cfnStackName);
    if (described?.status.endsWith('_IN_PROGRESS'))
      throw named('StageBusy', `the stack of ${stage.name} is ${described.status}`);
    deployedTemplate = await deps.stacks.getTemplate(account, stage.cfnStackName);
    const token = clientRequestToken(operationId, `plan-${number}`);
    const templateUrl = await deps.templates.put(account, {
      stackName: stage.cfnStackName,
      clientRequestToken: token,
      templateBody: rendered.templateBody,
    });
    await deps.stacks.createChangeSet(account, {
      stackName: stage.cfnStackName,
      changeSetName: plan.changeSetName,
      templateUrl,
      tags: rendered.tags,
      capabilities: CAPABILITIES,
      clientToken: token,
    });
  }

  const deployed = containerOf(deployedTemplate ? JSON.parse(deployedTemplate) : undefined);
  const planned = containerOf(JSON.parse(rendered.templateBody));
  const from = deployed?.image ?? null;
  const fromCommit = commitOfImage(from ?? undefined, stack.pipeline?.imageRepositoryUri);
  const to = run.commit.sha;
  const count = fromCommit && to ? commitCount(fromCommit, to, await recentPushes(deps, run)) : undefined;
  const preview: Omit<DeployChanges, 'resources'> = {
    image: { from, to: run.imageUri ?? stage.imageUri },
    commits: {
      compareUrl: fromCommit && to ? compareUrlOf(stack.repository, fromCommit, to) : null,
      ...(count !== undefined ? { count } : {}),
    },
    environment: environmentChanges(deployed?.variables ?? {}, planned?.variables ?? {}),
  };
  return { changeSetName: plan.changeSetName, preview };
}

// ---- waiting for the change set, inside the task -----------------------------------------------

/** CloudFormation usually computes a stage's change set in seconds; the task waits at most this long. */
export const CHANGE_SET_WAIT_MS = 40_000;
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 8_000;
const CREATING = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Describes the change set until CloudFormation has computed it, with a doubling pause (0.25 s up
 * to 8 s), for at most `limitMs`; then ChangeSetNotReady, which the state machine retries a bounded
 * number of times. Waiting here rather than in a Wait/Choice loop keeps the run's state transitions
 * the same however long CloudFormation takes.
 */
export async function waitForChangeSet(
  describe: () => Promise<ChangeSetDescription>,
  options: { limitMs?: number; sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
): Promise<ChangeSetDescription> {
  const { limitMs = CHANGE_SET_WAIT_MS, sleep = pause, now = Date.now } = options;
  const started = now();
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const described = await describe();
    if (!CREATING.has(described.status)) return described;
    const left = limitMs - (now() - started);
    if (left <= 0)
      throw named(
        'ChangeSetNotReady',
        `CloudFormation is still computing the change set after ${limitMs / 1000} s`,
      );
    await sleep(Math.min(delay, left));
  }
}

/**
 * What the planned deploy changes: the preview PlanStageDeploy made (image, commits, variables) and
 * the change set's resources, once CloudFormation has computed them; with its summary for the
 * `Approval Requested` event. A change set CloudFormation failed fails the run with its reason.
 */
export async function describeStageDeployPlan(
  input: StageStep & { preview: Omit<DeployChanges, 'resources'> },
  deps: Deps,
) {
  const { stage, account, runStage } = await contextOf(input, deps);
  const plan = runStage?.plan;
  if (!plan) throw named('DeployPlanMissing', `no deploy of ${input.stageName} was planned`);
  let resources: DeployChanges['resources'] = [];
  if (plan.changeSetName) {
    const described = await waitForChangeSet(() =>
      deps.stacks.describeChangeSet(account, stage.cfnStackName, plan.changeSetName),
    );
    if (described.status !== 'CREATE_COMPLETE')
      throw named(
        'DeployPlanFailed',
        described.noChanges
          ? `the deploy of ${input.stageName} would change nothing`
          : `CloudFormation could not plan the deploy of ${input.stageName}: ${described.statusReason ?? described.status}`,
      );
    resources = resourcesOf(described.changes);
    await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, {
      plan: { ...plan, changeSetId: described.changeSetId },
    });
  }
  const changes: DeployChanges = { ...input.preview, resources };
  return { changes, summary: changesSummary(changes) };
}

// ---- after the approval ------------------------------------------------------------------------

/**
 * Whether the planned deploy is still the deploy: its change set can be executed (CloudFormation
 * makes it OBSOLETE when the stack was updated since), and the template rendered now (the stage is
 * locked for the deploy: nothing changes it any more) is the one planned. Otherwise the reason.
 */
export async function checkStageDeployPlan(input: StageStep, deps: Deps) {
  const { stage, account, runStage } = await contextOf(input, deps);
  const plan = runStage?.plan;
  if (!plan?.changeSetName || plan.status !== 'PLANNED') return { current: true, reason: '' };
  let executable: string;
  try {
    const described = await deps.stacks.describeChangeSet(account, stage.cfnStackName, plan.changeSetName);
    executable = described.status === 'CREATE_COMPLETE' ? described.executionStatus : described.status;
  } catch (error) {
    if (!(error instanceof CloudError && error.name === 'ChangeSetGone')) throw error;
    executable = 'gone';
  }
  if (executable !== 'AVAILABLE')
    return {
      current: false,
      reason: `the stack of ${input.stageName} changed after the deploy was planned (its change set is ${executable.toLowerCase()})`,
    };
  const rendered = await renderStageWith(stageRef(input, plan.operationId), deps);
  if (hashOf(rendered.templateBody) !== plan.templateHash)
    return {
      current: false,
      reason: `the settings of ${input.stageName} changed after the deploy was planned`,
    };
  return { current: true, reason: '' };
}

/**
 * A stale plan's deploy does not go ahead: the stage's lock (taken for it) is given back, and its
 * image is the one it runs again. The operation stays PENDING: the next plan's deploy is the same one.
 */
export async function releaseStaleStageDeploy(input: StageStep, deps: Pick<TaskDeps, 'store' | 'pipelines'>) {
  const run = await deps.pipelines.requireRun(input.tenantId, input.runId);
  const operationId = run.stages[input.stageName]?.operationId;
  const stage = { tenantId: input.tenantId, stackId: input.stackId, name: input.stageName };
  if (operationId) await deps.store.releaseStageLock(stage, operationId, 'ACTIVE');
  if (run.imageUri) await deps.pipelines.revertStageImage(stage, run.imageUri);
  return {};
}

/**
 * Deletes the plan's change set (a stale plan, or a deploy that will not happen: rejected,
 * expired, superseded) after recording the plan DISCARDED while the run is still going, so that
 * planning again names a new change set. A change set that cannot be deleted is left: executing
 * any other change set of the stack deletes it (CloudFormation does).
 */
export async function discardStageDeployPlan(input: StageStep, deps: Deps) {
  const { stage, account, run, runStage } = await contextOf(input, deps);
  const plan = runStage?.plan;
  if (!plan || plan.status === 'DISCARDED') return {};
  if (!TERMINAL_RUN_STATUSES.includes(run.status))
    await deps.pipelines.updateRunStage(input.tenantId, input.runId, input.stageName, {
      plan: { ...plan, status: 'DISCARDED' },
    });
  if (plan.changeSetName) {
    await deps.stacks
      .deleteChangeSet(account, stage.cfnStackName, plan.changeSetName)
      .catch((error: unknown) =>
        log.warn('change set not deleted', { changeSetName: plan.changeSetName, ...errorFields(error) }),
      );
  }
  return {};
}
