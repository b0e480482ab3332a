import type { BastionBody } from '../domain/input/bastion';
import type { StageDatabaseOption } from '../domain/input/database';
import { DomainError } from '../domain/errors';
import { errorFields, log } from '../log';
import { provisionBastion } from '../app/bastions';
import { addDatabase } from '../app/databases';
import type { ApiDeps } from '../app/deps';

type Deps = Pick<ApiDeps, 'store' | 'workflows' | 'databases'>;

/** EventBridge's delivery of an `Operation Status Change` event from the platform's bus. */
export interface OperationEnded {
  detail: { tenantId?: string; stackId?: string; stageName?: string; status?: string };
}

/**
 * When an operation on a stage ends, starts the next operation that was asked for with the stage
 * (its database, then its bastion), each an operation of its own with its own workflow. A stage
 * that did not become ACTIVE drops them: they were asked for with a stage that is not there.
 * Duplicate deliveries start nothing twice: taking a follow-up is a conditional write, and the
 * stage's lock refuses a second operation.
 */
export async function onOperationEnded(event: OperationEnded, deps: Deps): Promise<void> {
  const { tenantId, stackId, stageName, status } = event.detail;
  if (!tenantId || !stackId || !stageName || (status !== 'SUCCEEDED' && status !== 'FAILED')) return;
  const ref = { tenantId, stackId, stageName };
  for (;;) {
    const stage = await deps.store.getStage(tenantId, stackId, stageName);
    if (!stage) {
      await deps.databases.dropFollowUps(ref);
      return;
    }
    if (stage.lock) return; // another operation runs; its end comes back here
    if (stage.status !== 'ACTIVE') {
      if ((await deps.databases.getFollowUps(ref)).length > 0) {
        log.warn('follow-up operations dropped: the stage is not ACTIVE', {
          stackId,
          stageName,
          status: stage.status,
        });
        await deps.databases.dropFollowUps(ref);
      }
      return;
    }
    const next = await deps.databases.takeFollowUp(ref);
    if (!next) return;
    const requester = { tenantId, userId: next.userId ?? 'tinystacks' };
    try {
      const operation =
        next.kind === 'bastion'
          ? await provisionBastion(deps, requester, stackId, stageName, next.body as unknown as BastionBody)
          : await addDatabase(
              deps,
              requester,
              stackId,
              stageName,
              next.body as unknown as StageDatabaseOption,
            );
      log.info('follow-up operation started', {
        stackId,
        stageName,
        operationId: operation.operationId,
        kind: next.kind,
      });
      return;
    } catch (error) {
      // Refused now (the replica's source went away, ...): say so, and go on with the next one.
      log.warn('follow-up operation refused', { stackId, stageName, kind: next.kind, ...errorFields(error) });
      if (!(error instanceof DomainError)) throw error;
    }
  }
}
