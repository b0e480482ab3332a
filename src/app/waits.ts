import type { TaskDelivery } from '../cloud/errors';
import type { WorkflowPort } from '../cloud/ports';
import { log } from '../log';
import type { StoredRun, PipelineStore } from '../store/pipelines';
import type { StackWait, StackWaitStore } from '../store/stack-waits';

/**
 * A workflow parked until an event, race-safe. Two things arrive in either order: the task token
 * (a `.waitForTaskToken` task writes it on the wait's item) and the outcome (the event writes it on
 * the same item, each with a conditional write). Whichever arrives second completes the pair and
 * claims the resume with one more conditional write, so exactly one SendTaskSuccess is sent,
 * whatever the order, however often the event is delivered. Stack waits (CloudFormation) and
 * build waits (CodePipeline) are two of these.
 */
export interface Rendezvous<W> {
  /** The token and the outcome, once the item holds both and no one has resumed it. */
  pair(wait: W): { token: string; outcome: object } | undefined;
  /** True for exactly one caller per wait: the one that may resume the workflow. */
  claimResume(wait: W): Promise<boolean>;
  /** Called by that one caller after the resume. */
  resumed?(wait: W, delivery: TaskDelivery): void;
}

type Workflows = Pick<WorkflowPort, 'sendTaskSuccess'>;

async function resumeIfReady<W>(rendezvous: Rendezvous<W>, wait: W, workflows: Workflows): Promise<void> {
  const pair = rendezvous.pair(wait);
  if (!pair || !(await rendezvous.claimResume(wait))) return;
  const delivery = await workflows.sendTaskSuccess(pair.token, pair.outcome);
  rendezvous.resumed?.(wait, delivery);
}

/**
 * The token has arrived: `parked` is the item as the token's write left it, or undefined when there
 * was no wait to park on (`missing` says why, by the name the state machine matches). If the
 * outcome came first, the workflow resumes at once.
 */
export async function tokenArrived<W>(
  rendezvous: Rendezvous<W>,
  parked: W | undefined,
  missing: () => Error,
  workflows: Workflows,
): Promise<void> {
  if (!parked) throw missing();
  await resumeIfReady(rendezvous, parked, workflows);
}

/**
 * The outcome has arrived: `recorded` is the item as the outcome's write left it, or undefined
 * when the write was refused (no such wait, a stale or duplicate event), which resumes nothing.
 */
export async function outcomeArrived<W>(
  rendezvous: Rendezvous<W>,
  recorded: W | undefined,
  workflows: Workflows,
): Promise<void> {
  if (recorded) await resumeIfReady(rendezvous, recorded, workflows);
}

/** A workflow waiting on a CloudFormation stack (src/store/stack-waits.ts). */
export const stackWait = (waits: Pick<StackWaitStore, 'claimResume'>): Rendezvous<StackWait> => ({
  pair: (wait) =>
    wait.taskToken && wait.outcome && !wait.resumedAt
      ? { token: wait.taskToken, outcome: wait.outcome }
      : undefined,
  claimResume: (wait) => waits.claimResume(wait),
  resumed: (wait, delivery) =>
    log.info('stack wait resumed', {
      cfnStackName: wait.cfnStackName,
      operationId: wait.operationId,
      status: wait.outcome?.status,
      delivery,
    }),
});

/** A pipeline run waiting on its build (src/store/pipelines.ts). */
export const buildWait = (pipelines: Pick<PipelineStore, 'claimBuildResume'>): Rendezvous<StoredRun> => ({
  pair: (run) =>
    run.buildToken && run.buildOutcome && !run.buildResumedAt
      ? { token: run.buildToken, outcome: run.buildOutcome }
      : undefined,
  claimResume: (run) => pipelines.claimBuildResume(run.tenantId, run.runId, run.buildToken!),
});

/** A pipeline run waiting for a stage's deploy window, woken early by an override or a newer run. */
export const windowWait = (pipelines: Pick<PipelineStore, 'claimWindowResume'>): Rendezvous<StoredRun> => ({
  pair: (run) =>
    run.windowWait?.token && run.windowWait.wake && !run.windowWait.resumedAt
      ? { token: run.windowWait.token, outcome: { wake: run.windowWait.wake } }
      : undefined,
  claimResume: (run) => pipelines.claimWindowResume(run.tenantId, run.runId, run.windowWait!.token!),
});
