import { conflict } from '../domain/errors';
import { newId } from '../domain/ids';
import { pipelineCfnStackNameOf, pipelineNameOf, type StackPipeline } from '../domain/pipeline';
import { assertStackActive, type Stack } from '../domain/stack';
import { errorFields, log } from '../log';
import type { ApiDeps } from './deps';
import type { PipelineWorkflowInput } from '../domain/workflow-input';
import { newPipeline } from './pipelines';
import { targetOf } from './accounts';

/** CloudFormation statuses of a stack that failed to create: it must be deleted before it can be created again. */
const FAILED_CREATE = ['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED'];
const PIPELINE_BUILT = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * POST /v1/stacks/{stackId}/pipeline/retry: creates again a pipeline whose creation failed. Its
 * CloudFormation stack is looked at first: if it was created after all (the failure was ours), the
 * pipeline is ACTIVE at once; if it is still changing, or one that failed to create has not been
 * deleted yet (the deletion is started), the answer is a 409 to retry later; if there is none, a
 * new create-pipeline workflow starts and the pipeline is CREATING.
 */
export async function retryPipeline(
  deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows' | 'stacks' | 'bus'>,
  tenantId: string,
  stackId: string,
): Promise<{ stack: Stack; started: boolean }> {
  const stack = await deps.store.requireStack(tenantId, stackId);
  assertStackActive(stack);
  const status = stack.pipeline?.status;
  if (status === 'ACTIVE' || status === 'CREATING') {
    throw conflict(`the stack’s pipeline is ${status}: there is nothing to retry`, { status });
  }
  const cfnStackName = pipelineCfnStackNameOf(stackId);
  const target = await targetOf(deps, stack.tenantId, { roleArn: stack.roleArn, region: stack.region });
  const current = await deps.stacks.describe(target, cfnStackName);
  if (current && PIPELINE_BUILT.includes(current.status)) {
    const pipeline: StackPipeline = {
      ...newPipeline(stackId),
      status: 'ACTIVE',
      pipelineName: current.outputs.PipelineName ?? pipelineNameOf(stackId),
      ...(current.outputs.ImageRepositoryUri
        ? { imageRepositoryUri: current.outputs.ImageRepositoryUri }
        : {}),
    };
    await deps.pipelines.setStackPipeline(tenantId, stackId, pipeline);
    await deps.bus.publish([
      { detailType: 'Pipeline Status Change', detail: { tenantId, stackId, status: 'ACTIVE' } },
    ]);
    return { stack: { ...stack, pipeline }, started: false };
  }
  if (current && current.status !== 'DELETE_COMPLETE') {
    const deleting = FAILED_CREATE.includes(current.status);
    if (deleting) await deps.stacks.delete(target, cfnStackName, `${cfnStackName}-retry-${Date.now()}`);
    throw conflict(
      deleting
        ? `the pipeline’s CloudFormation stack failed to create (${current.status}) and is being deleted: retry in a minute`
        : `the pipeline’s CloudFormation stack is ${current.status}: retry once it has finished`,
      { stackStatus: current.status },
    );
  }
  // A new execution, with its own name and CloudFormation request token.
  const attempt = `${stackId}-${newId('try')}`;
  const input: PipelineWorkflowInput = {
    tenantId,
    stackId,
    operationId: attempt,
    cfnStackName,
    action: 'CREATE',
    target: { roleArn: stack.roleArn, region: stack.region },
  };
  const pipeline = newPipeline(stackId);
  await deps.pipelines.setStackPipeline(tenantId, stackId, pipeline);
  try {
    await deps.workflows.start('createPipeline', attempt, input);
  } catch (error) {
    log.error('pipeline retry could not start', { stackId, ...errorFields(error) });
    await deps.pipelines.setStackPipeline(tenantId, stackId, {
      ...pipeline,
      status: 'FAILED',
      error: 'the pipeline could not be set up',
    });
    throw error;
  }
  return { stack: { ...stack, pipeline }, started: true };
}
