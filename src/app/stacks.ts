import { badRequest, conflict } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Operation } from '../domain/operation';
import { pipelineCfnStackNameOf, TERMINAL_RUN_STATUSES } from '../domain/pipeline';
import { assertRegionServes } from '../domain/region-services';
import { partitionOfArn } from '../domain/regions';
import type { Stack } from '../domain/stack';
import type { StackWorkflowInput } from '../domain/workflow-input';
import type { CreateStackBody } from '../domain/input/stack';
import type { Caller } from '../domain/caller';
import { externalIdFor } from './accounts';
import type { ApiDeps } from './deps';
import { newPipeline, setUpPipeline } from './pipelines';
import { startOperation } from './stage-operations';

export async function createStack(
  deps: Pick<
    ApiDeps,
    'store' | 'accounts' | 'settings' | 'pipelines' | 'workflows' | 'platformSecrets' | 'pipelineSettings'
  >,
  caller: Caller,
  body: CreateStackBody,
): Promise<{ stack: Stack; webhookSecret: string }> {
  // The pipeline is built in the stack's region (CodeStar Connections is missing in some).
  assertRegionServes(body.region, ['pipeline'], {
    platformPartition: partitionOfArn(deps.settings.platformPrincipalArn),
  });
  let roleArn = body.roleArn;
  if (roleArn === undefined) {
    if (deps.settings.requireRoleArn)
      throw badRequest('roleArn', 'roleArn is required: see GET /v1/account/role-setup');
    roleArn = deps.settings.simulatedRoleArn;
  } else {
    await deps.accounts.verifyRole(roleArn, await externalIdFor(deps, caller.tenantId));
  }
  const now = new Date().toISOString();
  const stack: Stack = {
    tenantId: caller.tenantId,
    stackId: newId('stk'),
    name: body.name,
    repository: body.repository,
    branch: body.branch,
    region: body.region,
    roleArn,
    stageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  stack.pipeline = newPipeline(stack.stackId);
  stack.notifications = {
    emails: body.notifications?.emails ?? [],
    slack: body.notifications?.slackWebhookUrl !== undefined,
  };
  await deps.store.claimStackName(stack.tenantId, stack.name, stack.stackId);
  try {
    await deps.store.putStack(stack);
  } catch (error) {
    await deps.store.releaseStackName(stack.tenantId, stack.name, stack.stackId);
    throw error;
  }
  const { webhookSecret } = await setUpPipeline(deps, stack, body.notifications?.slackWebhookUrl);
  return { stack, webhookSecret };
}

/** How many of a stack's newest runs are looked at for one still in progress. */
const RUNS_LOOKED_AT = 50;

/**
 * Why the stack cannot be deleted now, as a 409 naming what holds it: its stages (deleted first),
 * the operation already deleting it, its pipeline being created, runs still in progress.
 */
async function assertDeletable(deps: Pick<ApiDeps, 'store' | 'pipelines'>, stack: Stack): Promise<void> {
  if (stack.lock)
    throw conflict(`the stack is busy with operation ${stack.lock.operationId}`, {
      operationId: stack.lock.operationId,
    });
  if (stack.stageCount > 0) {
    const stages = await deps.store.listStages(stack.tenantId, stack.stackId, { limit: 100 });
    const names = stages.items.map((stage) => stage.name);
    throw conflict(`the stack still has stages: delete them first (${names.join(', ')})`, { stages: names });
  }
  if (stack.pipeline?.status === 'CREATING')
    throw conflict('the stack’s pipeline is being created: delete the stack once it is ACTIVE or FAILED', {
      pipeline: 'CREATING',
    });
  const runs = await deps.pipelines.listRuns(stack.tenantId, stack.stackId, { limit: RUNS_LOOKED_AT });
  const running = runs.items.filter((run) => !TERMINAL_RUN_STATUSES.includes(run.status)).map((r) => r.runId);
  if (running.length > 0) throw conflict(`runs are in progress: ${running.join(', ')}`, { runIds: running });
}

/**
 * DELETE /v1/stacks/{stackId}: an operation (DELETE_STACK) whose workflow deletes the stack's
 * pipeline stack in the customer's account, waits for CloudFormation, then removes the stack's
 * records (its webhook secret, its name). The stack is DELETING meanwhile; a deletion that fails
 * leaves it DELETE_FAILED with CloudFormation's reason, and deleting it again retries.
 */
export async function deleteStack(
  deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows'>,
  caller: Caller,
  stackId: string,
): Promise<Operation> {
  const stack = await deps.store.requireStack(caller.tenantId, stackId);
  await assertDeletable(deps, stack);
  const now = new Date().toISOString();
  const operation: Operation = {
    tenantId: caller.tenantId,
    operationId: newId('op'),
    type: 'DELETE_STACK',
    status: 'PENDING',
    stackId,
    input: {},
    createdAt: now,
    updatedAt: now,
  };
  // The checks above name what holds the stack; this write is what makes the deletion safe.
  const held = await deps.store.lockStackForDeletion(caller.tenantId, stackId, operation.operationId);
  if (held) {
    await assertDeletable(deps, held);
    throw conflict('the stack changed meanwhile: try again', { stackId });
  }
  const input: StackWorkflowInput = {
    tenantId: caller.tenantId,
    stackId,
    operationId: operation.operationId,
    operationType: 'DELETE_STACK',
    cfnStackName: pipelineCfnStackNameOf(stackId),
    target: { roleArn: stack.roleArn, region: stack.region },
  };
  return startOperation(deps, operation, input, () =>
    deps.store.releaseStackLock(
      caller.tenantId,
      stackId,
      operation.operationId,
      stack.status === 'DELETE_FAILED' ? 'DELETE_FAILED' : 'ACTIVE',
    ),
  );
}
