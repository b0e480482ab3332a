import type { Caller } from '../domain/caller';
import { restoredSettings, rollbackRefusal } from '../domain/deployment';
import { assertUserEnvironment } from '../domain/environment';
import { badRequest, notFound } from '../domain/errors';
import { deployActionOf } from '../domain/stage';
import type { ApiDeps } from './deps';
import { launchStageOperation, newStageOperation } from './stage-operations';
import { pendingChangeLock } from './stages';

type Deps = Pick<ApiDeps, 'store' | 'workflows'>;

/**
 * Redeploys a deployment that succeeded: its image and its settings (but for the gates, see
 * restoredSettings), without a build, as a stage update (ROLLBACK_STAGE, a deploy-stage execution)
 * that is itself a new deployment naming the one it restores. Like a PATCH, the restored settings
 * and image become the stage's once deployed, so later PATCHes keep the restored image; the next
 * pipeline run deploys its own.
 */
export async function rollbackStage(
  deps: Deps,
  caller: Caller,
  stackId: string,
  stageName: string,
  deploymentId: string,
) {
  const stack = await deps.store.requireStack(caller.tenantId, stackId);
  const stage = await deps.store.requireStage(caller.tenantId, stackId, stageName);
  const restored = await deps.store.deployments.find(caller.tenantId, stackId, deploymentId);
  if (!restored) throw notFound(`deployment ${deploymentId}`);
  const refusal = rollbackRefusal(restored, stage);
  if (refusal) throw badRequest('deploymentId', refusal);
  const settings = restoredSettings(stage, restored.settings);
  assertUserEnvironment(settings.environment);
  const operation = newStageOperation(caller, stackId, stageName, 'ROLLBACK_STAGE', { deploymentId });
  const change = { settings, imageUri: restored.imageUri };
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: { action: deployActionOf(stage) },
    lock: pendingChangeLock(deps, stage, operation.operationId, change),
    deploys: {
      ...change,
      ...(restored.commit ? { commit: restored.commit } : {}),
      rollbackOf: restored.deploymentId,
    },
  });
}
