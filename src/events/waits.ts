import { buildWait, outcomeArrived, stackWait } from '../app/waits';
import { stackIdOfPipeline } from '../domain/pipeline';
import { errorFields, log } from '../log';
import type { TaskDeps } from '../tasks/deps';

/**
 * The events that resume parked workflows (src/app/waits.ts): CloudFormation's stack status changes
 * and CodePipeline's execution state changes, forwarded from customers' accounts.
 */

export interface StackStatusChange {
  region: string;
  time: string;
  detail: { 'stack-id': string; 'status-details': { status: string; 'status-reason'?: string } };
}

/** CloudFormation's status change event. Duplicates and stale events change nothing. */
export async function onStackStatusChange(
  event: StackStatusChange,
  deps: Pick<TaskDeps, 'waits' | 'workflows'>,
): Promise<void> {
  const cfnStackName = event.detail['stack-id'].split('/')[1];
  if (!cfnStackName) return;
  const { status, 'status-reason': reason = '' } = event.detail['status-details'];
  try {
    const wait = await deps.waits.recordOutcome(event.region, cfnStackName, status, reason, event.time);
    await outcomeArrived(
      stackWait(deps.waits),
      wait && { ...wait, region: event.region, cfnStackName },
      deps.workflows,
    );
  } catch (error) {
    log.error('stack status change not applied', { cfnStackName, status, ...errorFields(error) });
    throw error;
  }
}

/** CodePipeline's "Pipeline Execution State Change" event, forwarded from the customer's account. */
export interface PipelineStateChange {
  account: string;
  region: string;
  detail: { pipeline: string; 'execution-id': string; state: string };
}

const FINAL_STATES = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELED'];

/**
 * Records a build's outcome on its run and resumes the waiting workflow, exactly once, whatever the
 * order and however often the event arrives. Events from another account than the stack's are not
 * about its pipeline; and the workflow re-reads the execution (CheckBuild) before trusting the outcome.
 */
export async function onPipelineStateChange(
  event: PipelineStateChange,
  deps: Pick<TaskDeps, 'pipelines' | 'workflows'>,
) {
  const { pipeline, 'execution-id': executionId, state } = event.detail;
  if (!FINAL_STATES.includes(state) || !stackIdOfPipeline(pipeline)) return;
  const lookup = await deps.pipelines.getExecutionLookup(event.region, pipeline, executionId);
  if (!lookup) return;
  if (lookup.account && lookup.account !== event.account) {
    log.warn('pipeline event from another account ignored', { pipeline, account: event.account });
    return;
  }
  const run = await deps.pipelines.recordBuildOutcome(lookup.tenantId, lookup.runId, executionId, state);
  await outcomeArrived(buildWait(deps.pipelines), run, deps.workflows);
}
