import { errorFields, log } from '../log';
import type { StackWait } from '../store/stack-waits';
import type { TaskDeps } from './deps';

type Deps = Pick<TaskDeps, 'waits' | 'workflows'>;

/** Sends the task success for a wait that has both its token and its outcome, exactly once. */
async function resumeIfReady(wait: StackWait, deps: Deps): Promise<void> {
  if (!wait.taskToken || !wait.outcome || wait.resumedAt) return;
  if (!(await deps.waits.claimResume(wait))) return;
  const delivery = await deps.workflows.sendTaskSuccess(wait.taskToken, wait.outcome);
  log.info('stack wait resumed', {
    cfnStackName: wait.cfnStackName,
    operationId: wait.operationId,
    status: wait.outcome.status,
    delivery,
  });
}

export interface WaitForStackInput {
  taskToken: string;
  region: string;
  cfnStackName: string;
  operationId: string;
}

/**
 * Parks the workflow's task token. If the stack already finished (its event came before the
 * token), the outcome is on the record and the workflow resumes at once.
 */
export async function waitForStack(input: WaitForStackInput, deps: Deps): Promise<void> {
  const wait = await deps.waits.parkToken(
    input.region,
    input.cfnStackName,
    input.operationId,
    input.taskToken,
  );
  if (!wait) {
    const error = new Error(
      `no stack wait registered for ${input.cfnStackName} and operation ${input.operationId}`,
    );
    error.name = 'StackWaitMissing';
    throw error;
  }
  await resumeIfReady({ ...wait, region: input.region, cfnStackName: input.cfnStackName }, deps);
}

export interface StackStatusChange {
  region: string;
  time: string;
  detail: { 'stack-id': string; 'status-details': { status: string; 'status-reason'?: string } };
}

/** CloudFormation's status change event. Duplicates and stale events change nothing. */
export async function onStackStatusChange(event: StackStatusChange, deps: Deps): Promise<void> {
  const cfnStackName = event.detail['stack-id'].split('/')[1];
  if (!cfnStackName) return;
  const { status, 'status-reason': reason = '' } = event.detail['status-details'];
  try {
    const wait = await deps.waits.recordOutcome(event.region, cfnStackName, status, reason, event.time);
    if (wait) await resumeIfReady({ ...wait, region: event.region, cfnStackName }, deps);
  } catch (error) {
    log.error('stack status change not applied', { cfnStackName, status, ...errorFields(error) });
    throw error;
  }
}
