import { targetOf } from '../app/accounts';
import type { StackDescription, TargetAccount } from '../cloud/ports';
import type { StackRef, TaskDeps } from './deps';

type Deps = Pick<TaskDeps, 'store' | 'stacks'>;

const target = (deps: Deps, ref: StackRef) => targetOf(deps, ref.tenantId, ref.target);

/** CloudFormation tokens allow letters, digits and hyphens; one per operation and call kind. */
export const clientRequestToken = (operationId: string, call: string) =>
  `${operationId.replace(/_/g, '-')}-${call}`;
const token = (ref: StackRef, call: string) => clientRequestToken(ref.operationId, call);

export interface StackTemplateRef extends StackRef {
  templateBody: string;
  tags: Record<string, string>;
}

type WriteDeps = Deps & Pick<TaskDeps, 'templates'>;

/** The template goes to S3 first: CloudFormation reads up to 1 MB from there, 51,200 bytes inline. */
async function stackRequest(ref: StackTemplateRef, deps: WriteDeps, account: TargetAccount, call: string) {
  const request = { stackName: ref.cfnStackName, clientRequestToken: token(ref, call) };
  const templateUrl = await deps.templates.put(account, { ...request, templateBody: ref.templateBody });
  return { ...request, templateUrl, tags: ref.tags };
}

export async function createStack(ref: StackTemplateRef, deps: WriteDeps) {
  const account = await target(deps, ref);
  return deps.stacks.create(account, await stackRequest(ref, deps, account, 'create'));
}

/**
 * Every template carries the operation id as its deployment id, so an update always changes
 * something: CloudFormation's "No updates are to be performed" cannot arise.
 */
export async function updateStack(ref: StackTemplateRef, deps: WriteDeps) {
  const account = await target(deps, ref);
  await deps.stacks.update(account, await stackRequest(ref, deps, account, 'update'));
  return {};
}

/**
 * Executes the change set planned before the stage's approval (src/tasks/deploy-plans.ts): the
 * stack updates exactly as planned, and the stack wait follows it as it follows UpdateStack.
 */
export async function executeChangeSet(ref: StackRef & { changeSetName: string }, deps: Deps) {
  const account = await target(deps, ref);
  await deps.stacks.executeChangeSet(account, ref.cfnStackName, ref.changeSetName, token(ref, 'execute'));
  return {};
}

/** Deleting a stack that does not exist succeeds silently and emits no event: say so, so the workflow does not wait. */
export async function deleteStack(ref: StackRef, deps: Deps): Promise<{ existed: boolean }> {
  const account = await target(deps, ref);
  const current = await deps.stacks.describe(account, ref.cfnStackName);
  if (!current || current.status === 'DELETE_COMPLETE') return { existed: false };
  await deps.stacks.delete(account, ref.cfnStackName, token(ref, 'delete'));
  return { existed: true };
}

export async function continueUpdateRollback(ref: StackRef, deps: Deps) {
  await deps.stacks.continueUpdateRollback(
    await target(deps, ref),
    ref.cfnStackName,
    token(ref, 'continue-rollback'),
  );
  return {};
}

/** A stack that is gone reads as DELETE_COMPLETE, which is what a delete waits for. */
export async function describeStack(ref: StackRef, deps: Deps): Promise<StackDescription> {
  const found = await deps.stacks.describe(await target(deps, ref), ref.cfnStackName);
  return found ?? { stackId: '', status: 'DELETE_COMPLETE', reason: '', outputs: {} };
}

/**
 * The first resource that failed in the latest attempt says why a stack failed; CloudFormation's
 * stack-level reason ("The following resource(s) failed...") only names it. The error is
 * StackRolledBack when the stack, as the workflow last read it (`status`), is back where the update
 * started (UPDATE_ROLLBACK_COMPLETE: it runs what it ran before), StackFailed otherwise.
 */
export async function explainStackFailure(
  ref: StackRef & { status?: string },
  deps: Deps,
): Promise<{ reason: string; error: 'StackFailed' | 'StackRolledBack' }> {
  const account = await target(deps, ref);
  const error = ref.status === 'UPDATE_ROLLBACK_COMPLETE' ? 'StackRolledBack' : 'StackFailed';
  const { events } = await deps.stacks.listEvents(account, ref.cfnStackName);
  const attemptStart = events.findIndex(
    (e) => e.logicalId === ref.cfnStackName && /^(CREATE|UPDATE|DELETE)_IN_PROGRESS$/.test(e.status),
  );
  const attempt = attemptStart === -1 ? events : events.slice(0, attemptStart + 1);
  const failures = attempt.filter(
    (e) =>
      e.status.endsWith('_FAILED') &&
      e.reason &&
      !/cancelled/i.test(e.reason) &&
      e.logicalId !== ref.cfnStackName,
  );
  const first = failures[failures.length - 1];
  if (first) return { reason: `${first.logicalId} (${first.resourceType}): ${first.reason}`, error };
  const description = await deps.stacks.describe(account, ref.cfnStackName);
  return {
    reason: description?.reason || `stack ended in ${description?.status ?? 'an unknown state'}`,
    error,
  };
}
