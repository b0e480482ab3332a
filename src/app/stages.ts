import { assertUserEnvironment } from '../domain/environment';
import {
  applyStageUpdate,
  cfnStackNameOf,
  deployActionOf,
  stageSettings,
  type Stage,
  type StageSettings,
} from '../domain/stage';
import type { BastionBody } from '../domain/input/bastion';
import type { StageDatabaseOption } from '../domain/input/database';
import type { CreateStageBody, UpdateStageBody } from '../domain/input/stage';
import type { Caller } from '../domain/caller';
import { conflict } from '../domain/errors';
import { assertRegionServes, type RegionFeature } from '../domain/region-services';
import { assertSizingSettings, autoscales } from '../domain/scaling';
import { partitionOfArn } from '../domain/regions';
import { validateDatabaseOption } from './databases';
import type { ApiDeps } from './deps';
import { joinWaitingDeploy, settingsToPatch } from './deploy-plans';
import { launchStageOperation, newStageOperation } from './stage-operations';
import type { FollowUp } from '../store/databases';

type Deps = Pick<ApiDeps, 'store' | 'workflows' | 'settings'>;
/** A PATCH may join a run's deploy waiting for approval (src/app/deploy-plans.ts). */
type UpdateDeps = Deps & Pick<ApiDeps, 'approvals' | 'pipelines'>;
/**
 * Stage creation may ask for a database and a bastion; deletion checks there are none left. The
 * database store is optional so that callers that never use either need not provide it.
 */
type StageDeps = Deps & Partial<Pick<ApiDeps, 'databases'>>;

/** What was asked for with a stage (`database`, `bastion` on POST .../stages), in the order it runs. */
export function followUpsOf(body: { database?: StageDatabaseOption; bastion?: BastionBody }, userId: string) {
  const followUps: FollowUp[] = [];
  if (body.database) {
    followUps.push({
      kind: 'readReplicaOf' in body.database ? 'replica' : 'database',
      body: body.database as Record<string, unknown>,
      userId,
    });
  }
  if (body.bastion)
    followUps.push({ kind: 'bastion', body: body.bastion as Record<string, unknown>, userId });
  return followUps;
}

/** What autoscaling and rollback alarms add to a stage's template, for the region check. */
function sizingFeatures(settings: StageSettings): RegionFeature[] {
  return [
    ...(autoscales(settings.scaling) ? (['autoscaling'] as const) : []),
    ...(settings.rollbackAlarms ? (['rollbackAlarms'] as const) : []),
  ];
}

export async function createStage(deps: StageDeps, caller: Caller, stackId: string, body: CreateStageBody) {
  const stack = await deps.store.requireStack(caller.tenantId, stackId);
  const settings = stageSettings(body);
  assertUserEnvironment(settings.environment);
  assertSizingSettings(settings);
  const region = body.region ?? stack.region;
  assertRegionServes(region, [settings.loadBalancer ? 'stageWithLoadBalancer' : 'stage'], {
    platformPartition: partitionOfArn(deps.settings.platformPrincipalArn),
  });
  if (sizingFeatures(settings).length > 0) assertRegionServes(region, sizingFeatures(settings));
  if (body.bastion) assertRegionServes(region, ['bastion']);
  if (body.database) {
    await validateDatabaseOption(
      { store: deps.store, databases: deps.databases! },
      caller.tenantId,
      stackId,
      body.name,
      body.database,
      region,
    );
  }
  const operation = newStageOperation(caller, stackId, body.name, 'CREATE_STAGE', body);
  const now = operation.createdAt;
  const stage: Stage = {
    ...settings,
    tenantId: caller.tenantId,
    stackId,
    name: body.name,
    region,
    status: 'CREATING',
    cfnStackName: cfnStackNameOf(stackId, body.name),
    imageUri: deps.settings.defaultImageUri,
    outputs: {},
    serviceEnvironmentNames: [],
    lock: { operationId: operation.operationId, acquiredAt: now },
    lastOperationId: operation.operationId,
    createdAt: now,
    updatedAt: now,
  };
  const ref = { tenantId: caller.tenantId, stackId, stageName: body.name };
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: { action: 'CREATE' },
    lock: {
      // The new stage holds its lock. The count is what DELETE /stacks checks; it goes up first so
      // a racing delete cannot orphan the stage.
      async take() {
        await deps.store.adjustStageCount(caller.tenantId, stackId, 1);
        try {
          await deps.store.createStage(stage);
        } catch (error) {
          await deps.store.adjustStageCount(caller.tenantId, stackId, -1);
          throw error;
        }
      },
      async release() {
        await deps.store.deleteStage(stage);
        await deps.store.adjustStageCount(caller.tenantId, stackId, -1);
      },
    },
    // Started as operations of their own once the stage is ACTIVE (src/events/follow-ups.ts).
    record: deps.databases && {
      write: () => deps.databases!.putFollowUps(ref, followUpsOf(body, caller.userId)),
      undo: () => deps.databases!.dropFollowUps(ref),
    },
  });
}

export async function updateStage(
  deps: UpdateDeps,
  caller: Caller,
  stackId: string,
  stageName: string,
  patch: UpdateStageBody,
) {
  const stack = await deps.store.requireStack(caller.tenantId, stackId);
  const stage = await deps.store.requireStage(caller.tenantId, stackId, stageName);
  if (patch.environment) assertUserEnvironment(patch.environment);
  if (patch.loadBalancer) assertRegionServes(stage.region, ['stageWithLoadBalancer']);
  const settings = applyStageUpdate(settingsToPatch(stage), patch);
  assertSizingSettings(settings);
  if (sizingFeatures(settings).length > 0) assertRegionServes(stage.region, sizingFeatures(settings));
  // While a run waits at this stage's approval, the change goes out with its deploy (issue 13 §3).
  const held = await joinWaitingDeploy(deps, caller, stage, patch);
  if (held) return held;
  const operation = newStageOperation(caller, stackId, stageName, 'UPDATE_STAGE', patch);
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: { action: deployActionOf(stage) },
    lock: pendingChangeLock(deps, stage, operation.operationId, { settings }),
    deploys: { settings },
  });
}

/**
 * The lock of an operation that deploys new settings (and an image, for a rollback): they are the
 * stage's pending change until deployed; given back, they are kept as its failed change.
 */
export function pendingChangeLock(
  deps: Pick<Deps, 'store'>,
  stage: Stage,
  operationId: string,
  change: { settings: StageSettings; imageUri?: string },
) {
  return {
    take: () => deps.store.lockStage(stage, operationId, 'UPDATING', change.settings, change.imageUri),
    async release() {
      await deps.store.failPendingChange(stage, operationId, 'the workflow could not be started');
      await deps.store.releaseStageLock(stage, operationId, stage.status);
    },
  };
}

export async function deleteStage(deps: StageDeps, caller: Caller, stackId: string, stageName: string) {
  const stack = await deps.store.requireStack(caller.tenantId, stackId);
  const stage = await deps.store.requireStage(caller.tenantId, stackId, stageName);
  await assertNothingInStage(deps, caller.tenantId, stackId, stageName);
  const operation = newStageOperation(caller, stackId, stageName, 'DELETE_STAGE', {});
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: { action: 'DELETE' },
    lock: {
      take: () => deps.store.lockStage(stage, operation.operationId, 'DELETING'),
      release: () => deps.store.releaseStageLock(stage, operation.operationId, stage.status),
    },
  });
}

/** Databases and a bastion live in the stage's VPC: the stage can only go once they are gone. */
async function assertNothingInStage(
  deps: Pick<StageDeps, 'databases'>,
  tenantId: string,
  stackId: string,
  stageName: string,
): Promise<void> {
  if (!deps.databases) return;
  const ref = { tenantId, stackId, stageName };
  const databases = await deps.databases.allDatabases(ref);
  const bastion = await deps.databases.getBastion(ref);
  if (databases.length > 0 || bastion) {
    const what = [...databases.map((db) => `its ${db.engine} database`), ...(bastion ? ['its bastion'] : [])];
    throw conflict(`stage ${stageName} still has ${what.join(', ')}: delete them first`);
  }
}
