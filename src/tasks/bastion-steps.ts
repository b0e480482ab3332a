import { BASTION_OUTPUTS, renderBastionTemplate } from '../templates/bastion';
import { STAGE_OUTPUTS } from '../templates/outputs';
import type { StageRef, TaskDeps } from './deps';
import { failStageOperation, type FailureInput } from './stage-steps';
import type { StageStatus } from '../domain/stage';

function stepError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Renders the bastion's stack: in the stage's first public subnet, in the stage's bastion group. */
export async function renderBastion(ref: StageRef, deps: Pick<TaskDeps, 'store' | 'databases'>) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const stage = await deps.store.requireStage(ref.tenantId, ref.stackId, ref.stageName);
  const bastion = await deps.databases.requireBastion(ref);
  const outputs = stage.outputs;
  const vpcId = outputs[STAGE_OUTPUTS.vpcId];
  const subnetId = outputs[STAGE_OUTPUTS.publicSubnetIds]?.split(',')[0];
  const bastionSecurityGroupId = outputs[STAGE_OUTPUTS.bastionSecurityGroupId];
  if (!vpcId || !subnetId || !bastionSecurityGroupId) {
    throw stepError(
      'StageNotReady',
      `stage ${stage.name} has no bastion security group yet: rebuild it (PATCH) and try again`,
    );
  }
  const template = renderBastionTemplate({
    stackId: stack.stackId,
    stackName: stack.name,
    stageName: stage.name,
    allowedCidrs: bastion.allowedCidrs,
    vpcId,
    subnetId,
    bastionSecurityGroupId,
  });
  return {
    templateBody: JSON.stringify(template),
    tags: {
      'tinystacks:stack-id': stack.stackId,
      'tinystacks:stack': stack.name,
      'tinystacks:stage': stage.name,
    },
  };
}

export interface BastionReady extends StageRef {
  outputs: Record<string, string>;
}

/** The host and the key pair's id (AWS holds the private key; the record never does). */
export async function recordBastionReady(input: BastionReady, deps: Pick<TaskDeps, 'databases'>) {
  await deps.databases.updateBastion(
    input,
    {
      status: 'AVAILABLE',
      host: input.outputs[BASTION_OUTPUTS.host] || input.outputs[BASTION_OUTPUTS.publicIp],
      instanceId: input.outputs[BASTION_OUTPUTS.instanceId],
      keyPairId: input.outputs[BASTION_OUTPUTS.keyPairId],
      lastOperationId: input.operationId,
    },
    ['lastError'],
  );
  return {};
}

export async function removeBastion(ref: StageRef, deps: Pick<TaskDeps, 'databases'>) {
  await deps.databases.deleteBastion(ref);
  return {};
}

export interface BastionFailureInput extends FailureInput {
  stageStatusBefore: StageStatus;
}

/**
 * A bastion that was never created (its failed stack deleted) is forgotten; one whose deletion
 * failed stays, FAILED, to be deleted again. The stage returns to its previous status, unlocked.
 */
export async function recordBastionFailure(
  input: BastionFailureInput,
  deps: Pick<TaskDeps, 'store' | 'databases'>,
) {
  return failStageOperation(input, deps, async (reason) => {
    const bastion = await deps.databases.getBastion(input);
    if (bastion?.lastOperationId !== input.operationId) return;
    if (bastion.status === 'CREATING') await deps.databases.deleteBastion(input);
    else await deps.databases.updateBastion(input, { status: 'FAILED', lastError: reason });
  });
}
