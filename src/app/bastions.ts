import type { Caller } from '../domain/caller';
import { bastionStackName, tunnels, BASTION_USER, type Bastion } from '../domain/bastion';
import type { BastionBody } from '../domain/input/bastion';
import { conflict } from '../domain/errors';
import { assertRegionServes } from '../domain/region-services';
import type { Stage } from '../domain/stage';
import { STAGE_OUTPUTS } from '../templates/outputs';
import { audit } from './databases';
import type { ApiDeps } from './deps';
import { assertStageActive, launchStageOperation, newStageOperation } from './stage-operations';
import { targetOf } from './accounts';

type Deps = Pick<ApiDeps, 'store' | 'workflows' | 'databases'>;

const stageKey = (stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>) => ({
  tenantId: stage.tenantId,
  stackId: stage.stackId,
  stageName: stage.name,
});

/** A stage built before bastions existed has no bastion security group until its next rebuild. */
export function assertStageCanHostBastion(stage: Stage): void {
  if (!stage.outputs[STAGE_OUTPUTS.bastionSecurityGroupId]) {
    throw conflict(
      `stage ${stage.name} has no bastion security group yet: rebuild it (PATCH the stage) and try again`,
    );
  }
}

export async function provisionBastion(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  body: BastionBody,
) {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  assertRegionServes(stage.region, ['bastion']);
  assertStageActive(stage);
  assertStageCanHostBastion(stage);
  const operation = newStageOperation(requester, stackId, stageName, 'PROVISION_BASTION', body);
  const now = operation.createdAt;
  const bastion: Bastion = {
    tenantId: requester.tenantId,
    stackId,
    stageName,
    status: 'CREATING',
    allowedCidrs: body.allowedCidrs,
    cfnStackName: bastionStackName(stage.cfnStackName),
    lastOperationId: operation.operationId,
    createdAt: now,
    updatedAt: now,
  };
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: {
      action: 'UPDATE',
      stageStatusBefore: stage.status,
      bastion: { cfnStackName: bastion.cfnStackName },
    },
    record: {
      write: () => deps.databases.putBastion(bastion),
      undo: () => deps.databases.deleteBastion(stageKey(stage)),
    },
  });
}

export async function deleteBastion(deps: Deps, requester: Caller, stackId: string, stageName: string) {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  const bastion = await deps.databases.requireBastion(stageKey(stage));
  if (bastion.status !== 'AVAILABLE' && bastion.status !== 'FAILED') {
    throw conflict(`the bastion of stage ${stageName} is ${bastion.status}`);
  }
  assertStageActive(stage, { orFailed: true });
  const operation = newStageOperation(requester, stackId, stageName, 'DELETE_BASTION', {});
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: {
      action: 'UPDATE',
      stageStatusBefore: stage.status,
      bastion: { cfnStackName: bastion.cfnStackName },
    },
    record: {
      write: () =>
        deps.databases.updateBastion(stageKey(stage), {
          status: 'DELETING',
          lastOperationId: operation.operationId,
        }),
      undo: () => deps.databases.updateBastion(stageKey(stage), { status: bastion.status }),
    },
  });
}

/** The bastion and, for each database of its stage, the exact tunnel command. */
export async function describeBastion(
  deps: Pick<ApiDeps, 'store' | 'databases'>,
  tenantId: string,
  stackId: string,
  stageName: string,
) {
  const stage = await deps.store.requireStage(tenantId, stackId, stageName);
  const bastion = await deps.databases.requireBastion(stageKey(stage));
  const databases = await deps.databases.allDatabases(stageKey(stage));
  return {
    stageName,
    status: bastion.status,
    host: bastion.host ?? null,
    user: BASTION_USER,
    allowedCidrs: bastion.allowedCidrs,
    keyPairId: bastion.keyPairId ?? null,
    privateKeyPath: `/v1/stacks/${stackId}/stages/${stageName}/bastion/private-key`,
    tunnels: bastion.host ? tunnels(bastion.host, databases) : [],
    currentOperationId: stage.lock?.operationId ?? null,
    lastError: bastion.lastError ?? null,
    createdAt: bastion.createdAt,
    updatedAt: bastion.updatedAt,
  };
}

/**
 * The private key, which AWS keeps in the customer's SSM Parameter Store: fetched on demand,
 * never stored here, and every download leaves an audit record and an event.
 */
export async function downloadBastionKey(
  deps: Pick<ApiDeps, 'store' | 'databases' | 'keys' | 'bus'>,
  requester: Caller,
  stackId: string,
  stageName: string,
): Promise<string> {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  const bastion = await deps.databases.requireBastion(stageKey(stage));
  if (bastion.status !== 'AVAILABLE' || !bastion.keyPairId) {
    throw conflict(`the bastion of stage ${stageName} is ${bastion.status}: it has no key to download`);
  }
  const target = await targetOf(deps, stack.tenantId, { roleArn: stack.roleArn, region: stage.region });
  const key = await deps.keys.readPrivateKey(target, bastion.keyPairId);
  await audit(deps, requester, stage, 'DOWNLOAD_BASTION_KEY', 'bastion');
  return key;
}
