import { badRequest } from '../domain/errors';
import { newId } from '../domain/ids';
import { assertRegionServes } from '../domain/region-services';
import { partitionOfArn } from '../domain/regions';
import type { Stack } from '../domain/stack';
import type { CreateStackBody } from '../domain/input/stack';
import type { Caller } from '../domain/caller';
import { externalIdFor } from './accounts';
import type { ApiDeps } from './deps';
import { newPipeline, setUpPipeline } from './pipelines';

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
