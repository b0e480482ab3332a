import type { Caller } from '../domain/caller';
import type { UpdateStageBody } from '../domain/input/stage';
import type { Operation } from '../domain/operation';
import { applyStageUpdate, type Stage, type StageSettings } from '../domain/stage';
import { log } from '../log';
import type { StoredApproval } from '../store/approvals';
import type { ApiDeps } from './deps';

type Deps = Pick<ApiDeps, 'store' | 'workflows' | 'approvals' | 'pipelines'>;

/**
 * The settings a PATCH starts from: those of a change held for a run's deploy (below), which the
 * PATCH adds to, or else the stage's own. A pending change without the stage's lock is only ever
 * a held one: every other is recorded with the lock and leaves with it.
 */
export const settingsToPatch = (stage: Stage): StageSettings =>
  stage.pendingChange && !stage.lock ? stage.pendingChange.settings : stage;

/** The approval a run waits for at this stage, with the deploy it planned; at most one (newer runs supersede). */
async function waitingApprovalOf(deps: Pick<Deps, 'approvals'>, stage: Stage) {
  let nextToken: string | undefined;
  do {
    const page = await deps.approvals.listPendingApprovals(stage.tenantId, { limit: 100, nextToken });
    const found = page.items.find(
      (a: StoredApproval) => a.stackId === stage.stackId && a.stageName === stage.name && a.changes,
    );
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * A settings change (PATCH) to a stage while a run waits at that stage's approval joins the run's
 * deploy instead of deploying past the reviewer (issue 13 §3, README "The change, shown at the
 * approval"): the settings are held as the stage's pending change for the deploy's operation, the
 * approval is closed REPLANNED and the run plans the deploy again with them, so the new approval
 * shows the variables with the code, and approving deploys both as one change set. The answer is
 * that operation, PENDING until the deploy runs. Undefined when no run waits there, so the PATCH
 * deploys at once as ever.
 *
 * The order of the writes: the settings first (a plan made from then on renders them), then the
 * approval. Decided meanwhile, the approval stays as it is: an approved deploy's check finds the
 * settings changed and plans again (a new approval); a rejected one ends the run, and with it this
 * change (the stage's failedChange).
 */
export async function joinWaitingDeploy(
  deps: Deps,
  caller: Caller,
  stage: Stage,
  patch: UpdateStageBody,
): Promise<Operation | undefined> {
  if (stage.lock) return undefined;
  const approval = await waitingApprovalOf(deps, stage);
  if (!approval) return undefined;
  const run = await deps.pipelines.getRun(stage.tenantId, approval.runId);
  const operationId = run?.stages[stage.name]?.plan?.operationId;
  if (!run || !operationId) return undefined;
  const existing = await deps.store.getOperation(stage.tenantId, operationId);
  if (existing && existing.status !== 'PENDING') return undefined;

  const settings = applyStageUpdate(settingsToPatch(stage), patch);
  if (!(await deps.store.holdPendingChange(stage, operationId, settings))) return undefined;
  const now = new Date().toISOString();
  const operation: Operation = existing ?? {
    tenantId: stage.tenantId,
    operationId,
    type: 'UPDATE_STAGE',
    status: 'PENDING',
    stackId: stage.stackId,
    stageName: stage.name,
    input: { runId: run.runId, imageUri: run.imageUri, commit: run.commit.sha },
    createdAt: now,
    updatedAt: now,
  };
  if (!existing) await deps.store.putOperation(operation);

  const reason = `the settings of ${stage.name} changed (${caller.userId}): the deploy was planned again with them`;
  const closed = await deps.approvals.closeForReplan(stage.tenantId, approval.approvalId, reason);
  if (closed?.taskToken) await deps.workflows.sendTaskFailure(closed.taskToken, 'ApprovalReplanned', reason);
  log.info('settings held for a waiting deploy', {
    stageName: stage.name,
    operationId,
    approvalId: approval.approvalId,
    replanned: closed !== undefined,
  });
  return operation;
}
