import type { WorkflowPort } from '../cloud/ports';
import type { Caller } from '../domain/caller';
import { conflict, notFound } from '../domain/errors';
import type { StoredRun, PipelineStore, WindowWait } from '../store/pipelines';
import { log } from '../log';
import { outcomeArrived, windowWait } from './waits';

type Deps = { pipelines: PipelineStore; workflows: Pick<WorkflowPort, 'sendTaskSuccess'> };

/**
 * Tells a run waiting for a stage's deploy window to look again, now: the fact it must see (the
 * override on its stage, a newer run in the stage's slot) is recorded before this is called. The
 * token and the wake meet on the run item, in either order (src/app/waits.ts); a wait that has
 * just timed out looks again anyway, so nothing is lost when the token is gone.
 */
export async function wakeWindowWait(
  deps: Deps,
  tenantId: string,
  runId: string,
  stageName: string,
  why: NonNullable<WindowWait['wake']>,
): Promise<void> {
  const woken = await deps.pipelines.wakeWindowWait(tenantId, runId, stageName, why);
  await outcomeArrived(windowWait(deps.pipelines), woken, deps.workflows);
}

const notWaiting = (run: StoredRun, stageName: string) => {
  const stage = run.stages[stageName]!;
  const why = stage.override
    ? `its deploy window was already overridden by ${stage.override.by}`
    : `the run is ${run.status} and stage ${stageName} is ${stage.status}`;
  return conflict(`run ${run.runId} is not waiting for the deploy window of ${stageName}: ${why}`, {
    status: run.status,
    stageStatus: stage.status,
  });
};

/**
 * Deploys a stage now although its deploy windows are closed: recorded on the run's stage with who
 * and why, once, while the run waits for that window; then the waiting workflow is woken and, seeing
 * the override, deploys (and puts a `Deploy Window Overridden` event on the bus).
 */
export async function overrideDeployWindow(
  deps: Deps,
  caller: Caller,
  runId: string,
  stageName: string,
  reason: string,
): Promise<StoredRun> {
  const run = await deps.pipelines.getRun(caller.tenantId, runId);
  if (!run) throw notFound(`run ${runId}`);
  if (!run.stages[stageName]) throw notFound(`stage ${stageName} of run ${runId}`);
  const override = { by: caller.userId, reason, at: new Date().toISOString() };
  const recorded = await deps.pipelines.recordWindowOverride(caller.tenantId, runId, stageName, override);
  if (!recorded) throw notWaiting((await deps.pipelines.getRun(caller.tenantId, runId)) ?? run, stageName);
  await wakeWindowWait(deps, caller.tenantId, runId, stageName, 'override');
  log.info('deploy window overridden', { runId, stageName, by: caller.userId });
  return recorded;
}
