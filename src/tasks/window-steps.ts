import { wakeWindowWait } from '../app/deploy-windows';
import { tokenArrived, windowWait } from '../app/waits';
import type { WorkflowPort } from '../cloud/ports';
import { MAX_WINDOW_WAIT_SECONDS, nextWindowOpening, secondsUntil } from '../domain/deploy-window';
import type { TaskDeps } from './deps';
import type { StageStep } from './pipeline-steps';

type Deps = Pick<TaskDeps, 'store' | 'pipelines' | 'clock'> & {
  workflows: Pick<WorkflowPort, 'sendTaskSuccess'>;
};

/** An error the state machine matches by name (Lambda's errorType). */
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * What the run does at a stage's deploy windows: deploy (`OPEN`: no windows, or one is open),
 * deploy although they are closed (`OVERRIDDEN`, with who and why), or wait `waitSeconds` until
 * `opensAt` (`WAIT`). Every field is always there, for the state machine's paths.
 */
export interface WindowDecision {
  decision: 'OPEN' | 'OVERRIDDEN' | 'WAIT';
  opensAt: string;
  waitSeconds: number;
  overriddenBy: string;
  reason: string;
}

/**
 * Looks at the stage's deploy windows when the run reaches it (after its approval), and again each
 * time the wait ends: the window opened, someone overrode it, a newer run took the stage's slot, or
 * the windows were edited meanwhile. The windows are read live, at the time of the call. A run that must wait takes the stage's slot (an older run waiting there is superseded and woken to
 * find out) and is recorded WAITING_FOR_WINDOW; a run whose window would open more than
 * MAX_WINDOW_WAIT_SECONDS after it began waiting stops (`WindowWaitExpired`).
 */
export async function checkDeployWindow(input: StageStep, deps: Deps): Promise<WindowDecision> {
  const { tenantId, stackId, runId, stageName } = input;
  const now = deps.clock?.() ?? new Date();
  const nowIso = now.toISOString();
  // A wake between reading the run and recording the wait refuses the record: look again.
  for (let look = 0; look < 3; look++) {
    const run = await deps.pipelines.requireRun(tenantId, runId);
    const at = run.stages[stageName];
    if (at?.override)
      return {
        decision: 'OVERRIDDEN',
        opensAt: at.opensAt ?? nowIso,
        waitSeconds: 0,
        overriddenBy: at.override.by,
        reason: at.override.reason,
      };
    const stage = await deps.store.getStage(tenantId, stackId, stageName);
    const state = nextWindowOpening(stage?.deployWindows ?? [], now);
    if (state.open)
      return { decision: 'OPEN', opensAt: nowIso, waitSeconds: 0, overriddenBy: '', reason: '' };

    const opensAt = state.opensAt.toISOString();
    const waitingSince = at?.status === 'WAITING_FOR_WINDOW' && at.waitingSince ? at.waitingSince : nowIso;
    if (state.opensAt.getTime() - Date.parse(waitingSince) > MAX_WINDOW_WAIT_SECONDS * 1000)
      throw named(
        'WindowWaitExpired',
        `the deploy window of ${stageName} opens at ${opensAt}, more than ${MAX_WINDOW_WAIT_SECONDS / 86400} days after the run began waiting for it`,
      );
    const slot = await deps.pipelines.claimWindowSlot(tenantId, stackId, stageName, runId);
    if (slot.superseded) throw named('RunSuperseded', `run ${slot.by} already waits for ${stageName}`);
    if (slot.previous) await wakeWindowWait(deps, tenantId, slot.previous, stageName, 'superseded');
    if (await deps.pipelines.beginWindowWait(tenantId, runId, stageName, { opensAt, waitingSince }))
      return {
        decision: 'WAIT',
        opensAt,
        waitSeconds: secondsUntil(state.opensAt, now),
        overriddenBy: '',
        reason: '',
      };
  }
  throw new Error(`the wait for the deploy window of ${stageName} could not be recorded`);
}

/**
 * Parks the task token of the window wait on the run. The token times out when the window opens
 * (the state's TimeoutSecondsPath), which is the ordinary way out; an override or a newer run wakes
 * it earlier, and if that came first, it resumes at once.
 */
export async function waitForWindow(
  input: {
    taskToken: string;
    tenantId: string;
    runId: string;
    stageName: string;
    /** The wait's own limit (its state's TimeoutSecondsPath), which the embedded runtime reads here. */
    timeoutSeconds?: number;
  },
  deps: Pick<Deps, 'pipelines' | 'workflows'>,
) {
  const parked = await deps.pipelines.parkWindowToken(
    input.tenantId,
    input.runId,
    input.stageName,
    input.taskToken,
  );
  await tokenArrived(
    windowWait(deps.pipelines),
    parked,
    () =>
      named(
        'WindowWaitMissing',
        `run ${input.runId} is not waiting for the deploy window of ${input.stageName}`,
      ),
    deps.workflows,
  );
}
