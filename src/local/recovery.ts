import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { PlatformEvent } from '../cloud/ports';
import type { Bastion } from '../domain/bastion';
import type { Database } from '../domain/database';
import type { OperationType } from '../domain/operation';
import { pipelineCfnStackNameOf, TERMINAL_RUN_STATUSES, type Run, type RunStage } from '../domain/pipeline';
import type { Stack } from '../domain/stack';
import type { Stage, StageStatus } from '../domain/stage';
import { log } from '../log';
import type { StoredApproval } from '../store/approvals';
import type { TaskDeps } from '../tasks/deps';
import { recordBastionReady } from '../tasks/bastion-steps';
import { recordDatabaseReady } from '../tasks/database-steps';
import { recordPipelineReady } from '../tasks/pipeline-steps';
import { clientRequestToken, explainStackFailure } from '../tasks/stack-calls';
import { recordStackDeletionFailure, removeStack } from '../tasks/stack-steps';
import {
  DEPLOYED_STATUSES,
  recordFailure,
  recordStageReady,
  removeStage,
  renderStage,
  stillDeployed,
} from '../tasks/stage-steps';
import { isCloudFormationError } from './cloudformation';
import type { Runtime } from './runtime';
import { LocalStackPort } from './stacks';

export const INTERRUPTED = 'interrupted: the embedded runtime stopped while this operation ran';
const RUN_INTERRUPTED = 'interrupted: the embedded runtime stopped while this run was in progress';

/** What CloudFormation says of a stack: its status, outputs, and the token of its latest operation. */
interface CfnState {
  status: string;
  outputs: Record<string, string>;
  token?: string;
}

/** A stack that failed to create cannot be created again until it is deleted. */
const DEAD = ['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED'];

export interface Recovered {
  /** Operations that were running: finished (SUCCEEDED) when CloudFormation had done their work, else FAILED. */
  operations: number;
  /** Databases, replicas and bastions found CREATING, UPDATING or DELETING, set from their stacks. */
  records: number;
  /** Pipeline runs ended FAILED, each stage at its final status. */
  runs: number;
  /** Pipelines found CREATING, set from their stacks. */
  pipelines: number;
}

type Item = Record<string, unknown> & { kind: string; tenantId: string };

/**
 * The workflows live in the embedded runtime's memory, so a restart ends them; what they were
 * doing in CloudFormation did not stop (the simulated CloudFormation finished it at start). Once
 * it has, everything a workflow left half-way is set from the real state of its stacks, so that no
 * stage stays locked and no record stays in a status nothing will ever change:
 *
 * - a database, replica or bastion left CREATING is AVAILABLE with its outputs if its stack was
 *   created, else forgotten (a stack that failed to create is deleted); one left UPDATING is
 *   AVAILABLE, with the change if its stack took it; one left DELETING is gone if its stack is, else
 *   FAILED, to be deleted again;
 * - an operation whose CloudFormation work was all done SUCCEEDS (its stage ACTIVE with the outputs
 *   and settings it deployed), any other is FAILED ("interrupted"), its stage unlocked: ACTIVE if it
 *   still runs its last deployment, else FAILED (a stack that failed to create is deleted first, so
 *   that a PATCH can create it again);
 * - a run is FAILED, the stage it was deploying SUCCEEDED or FAILED (as its operation), the stage
 *   waiting for approval FAILED with its approval closed (EXPIRED), one waiting for its deploy window
 *   FAILED, the others SKIPPED;
 * - a pipeline left CREATING is ACTIVE if its stack was created, else FAILED (retry: POST
 *   /v1/stacks/{stackId}/pipeline/retry).
 *
 * Their status events are published as the workflows would have. A startup Scan, never on a
 * request path.
 */
export async function recoverAfterRestart(runtime: Runtime): Promise<Recovered> {
  await runtime.cloudFormation.whenIdle();
  const recovery = new Recovery(runtime);
  const items = await recovery.scan();
  const of = (kind: string) => items.filter((item) => item.kind === kind);
  const recovered: Recovered = { operations: 0, records: 0, runs: 0, pipelines: 0 };
  for (const db of of('database') as unknown as Database[]) {
    await recovery.reconcileDatabase(db);
    recovered.records++;
  }
  for (const bastion of of('bastion') as unknown as Bastion[]) {
    await recovery.reconcileBastion(bastion);
    recovered.records++;
  }
  for (const stage of of('stage') as unknown as Stage[]) {
    await recovery.finishOperation(stage);
    recovered.operations++;
  }
  for (const run of of('run') as unknown as Run[]) {
    await recovery.endRun(run);
    recovered.runs++;
  }
  for (const approval of of('approval') as unknown as StoredApproval[])
    await recovery.closeApproval(approval);
  for (const stack of of('stack') as unknown as Stack[]) {
    if (stack.status === 'DELETING') {
      await recovery.finishStackDeletion(stack);
      recovered.operations++;
      continue;
    }
    await recovery.reconcilePipeline(stack);
    recovered.pipelines++;
  }
  return recovered;
}

class Recovery {
  private readonly deps: Omit<TaskDeps, 'waits' | 'templates'>;

  constructor(private readonly runtime: Runtime) {
    this.deps = {
      store: runtime.store,
      databases: runtime.databases,
      stacks: new LocalStackPort(runtime.cloudFormation),
      workflows: runtime.workflows,
      ...runtime.pipelines.deps,
    };
  }

  /** Everything a workflow may have left half-way, in one pass over the table. */
  async scan(): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.runtime.dynamo.documentClient.send(
        new ScanCommand({
          TableName: this.runtime.store.tableName,
          FilterExpression:
            '(kind = :stage AND attribute_exists(#lock))' +
            ' OR (kind IN (:database, :bastion) AND #status IN (:creating, :updating, :deleting))' +
            ' OR (kind = :run AND NOT #status IN (:ok, :failed, :stopped, :superseded))' +
            ' OR (kind = :approval AND #status = :pending)' +
            ' OR (kind = :stack AND (pipeline.#status = :creating OR #status = :deleting))',
          ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' },
          ExpressionAttributeValues: {
            ':stage': 'stage',
            ':database': 'database',
            ':bastion': 'bastion',
            ':run': 'run',
            ':approval': 'approval',
            ':stack': 'stack',
            ':creating': 'CREATING',
            ':updating': 'UPDATING',
            ':deleting': 'DELETING',
            ':pending': 'PENDING',
            ...Object.fromEntries(
              (['ok', 'failed', 'stopped', 'superseded'] as const).map((name, i) => [
                `:${name}`,
                TERMINAL_RUN_STATUSES[i],
              ]),
            ),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  // ---- CloudFormation ------------------------------------------------------------------------

  private async stackState(region: string, stackName: string): Promise<CfnState | undefined> {
    const cfn = this.runtime.cloudFormation;
    try {
      const stack = (await cfn.describeStacks({ StackName: stackName }, region)).Stacks?.[0];
      if (!stack) return undefined;
      const { StackEvents: events = [] } = await cfn.describeStackEvents({ StackName: stackName }, region);
      return {
        status: stack.StackStatus ?? '',
        outputs: Object.fromEntries(
          (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
        ),
        token: events.find((event) => event.ResourceType === 'AWS::CloudFormation::Stack')
          ?.ClientRequestToken,
      };
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return undefined;
      throw error;
    }
  }

  /** The stack's latest operation was one of this operation's calls (the workflows' request tokens). */
  private changedBy(state: CfnState | undefined, operationId: string): boolean {
    return state?.token?.startsWith(clientRequestToken(operationId, '')) ?? false;
  }

  /** Deletes a stack that failed to create, and waits: its name is free for the next attempt. */
  private async deleteDeadStack(region: string, stackName: string, state: CfnState | undefined) {
    if (!state || !DEAD.includes(state.status)) return;
    await this.runtime.cloudFormation.deleteStack({ StackName: stackName }, region);
    await this.runtime.cloudFormation.whenIdle();
  }

  private publish(entries: PlatformEvent[]): Promise<void> {
    return this.runtime.bus.publish(entries);
  }

  // ---- databases and bastions ----------------------------------------------------------------

  async reconcileDatabase(db: Database): Promise<void> {
    const ref = { tenantId: db.tenantId, stackId: db.stackId, stageName: db.stageName };
    const stage = await this.deps.store.getStage(db.tenantId, db.stackId, db.stageName);
    const operation = await this.deps.store.getOperation(db.tenantId, db.lastOperationId);
    const region = stage?.region ?? '';
    const state = db.cfnStackName ? await this.stackState(region, db.cfnStackName) : undefined;
    const ready = (outputs: Record<string, string>) =>
      recordDatabaseReady(
        {
          ...ref,
          operationId: db.lastOperationId,
          engine: db.engine,
          operationType: operation?.type ?? 'ADD_DATABASE',
          outputs,
        },
        this.deps,
      );
    const created = state !== undefined && DEPLOYED_STATUSES.includes(state.status);
    log.info('database reconciled after a restart', {
      ...ref,
      engine: db.engine,
      was: db.status,
      stack: state?.status,
    });
    if (db.status === 'CREATING') {
      // An existing database has no stack: there was nothing to build.
      if (!db.cfnStackName || created) return void (await ready(state?.outputs ?? {}));
      await this.deleteDeadStack(region, db.cfnStackName, state);
      return this.deps.databases.deleteDatabase(ref, db.engine);
    }
    if (db.status === 'UPDATING') {
      if (state?.status === 'UPDATE_COMPLETE' && this.changedBy(state, db.lastOperationId))
        return void (await ready(state.outputs));
      return this.deps.databases.updateDatabase(
        ref,
        db.engine,
        { status: created ? 'AVAILABLE' : 'FAILED', lastError: INTERRUPTED },
        { remove: ['pending'] },
      );
    }
    if (!state || state.status === 'DELETE_COMPLETE')
      return this.deps.databases.deleteDatabase(ref, db.engine);
    return this.deps.databases.updateDatabase(ref, db.engine, { status: 'FAILED', lastError: INTERRUPTED });
  }

  async reconcileBastion(bastion: Bastion): Promise<void> {
    const ref = { tenantId: bastion.tenantId, stackId: bastion.stackId, stageName: bastion.stageName };
    const stage = await this.deps.store.getStage(bastion.tenantId, bastion.stackId, bastion.stageName);
    const region = stage?.region ?? '';
    const state = await this.stackState(region, bastion.cfnStackName);
    log.info('bastion reconciled after a restart', { ...ref, was: bastion.status, stack: state?.status });
    if (bastion.status === 'CREATING') {
      if (state && DEPLOYED_STATUSES.includes(state.status)) {
        await recordBastionReady(
          { ...ref, operationId: bastion.lastOperationId, outputs: state.outputs },
          this.deps,
        );
        return;
      }
      await this.deleteDeadStack(region, bastion.cfnStackName, state);
      return this.deps.databases.deleteBastion(ref);
    }
    if (!state || state.status === 'DELETE_COMPLETE') return this.deps.databases.deleteBastion(ref);
    return this.deps.databases.updateBastion(ref, { status: 'FAILED', lastError: INTERRUPTED });
  }

  // ---- operations ----------------------------------------------------------------------------

  /** The operation holding the stage's lock: finished from what its stacks show, the stage unlocked. */
  async finishOperation(stage: Stage): Promise<void> {
    const operationId = stage.lock!.operationId;
    const { tenantId, stackId, name: stageName } = stage;
    const ref = { tenantId, stackId, stageName, operationId };
    const operation = await this.deps.store.getOperation(tenantId, operationId);
    const type: OperationType =
      operation?.type ??
      (stage.status === 'DELETING'
        ? 'DELETE_STAGE'
        : stage.status === 'CREATING'
          ? 'CREATE_STAGE'
          : 'UPDATE_STAGE');
    const state = await this.stackState(stage.region, stage.cfnStackName);
    const ids = { tenantId, operationId, stackId, stageName };
    const ended = (status: 'SUCCEEDED' | 'FAILED'): PlatformEvent => ({
      detailType: 'Operation Status Change',
      detail: { ...ids, type, status, ...(status === 'FAILED' ? { error: INTERRUPTED } : {}) },
    });
    log.info('operation interrupted by a restart', { ...ids, type, stack: state?.status });

    if (type === 'DELETE_STAGE') {
      if (!state || state.status === 'DELETE_COMPLETE') {
        await removeStage(ref, this.deps);
        await this.deps.store.finishOperation(tenantId, operationId, 'SUCCEEDED');
        return this.publish([
          ended('SUCCEEDED'),
          { detailType: 'Stage Status Change', detail: { ...ids, status: 'DELETED' } },
        ]);
      }
      return this.fail(stage, ended('FAILED'));
    }

    // This operation's own deployment of the stage went through: record it as the workflow would have.
    const deployed =
      state !== undefined &&
      ['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(state.status) &&
      this.changedBy(state, operationId);
    const done = deployed && (await this.recordsDone(stage, type, operationId));
    if (deployed) {
      const { serviceEnvironmentNames } = await renderStage(ref, this.deps);
      await recordStageReady({ ...ref, outputs: state!.outputs, serviceEnvironmentNames }, this.deps);
    }
    if (type === 'CREATE_STAGE' || type === 'UPDATE_STAGE') {
      if (done) return this.succeed(stage, state!.outputs, ended('SUCCEEDED'));
      if (state?.status === 'UPDATE_ROLLBACK_FAILED') {
        await this.runtime.cloudFormation.continueUpdateRollback(
          { StackName: stage.cfnStackName },
          stage.region,
        );
        await this.runtime.cloudFormation.whenIdle();
      }
      if (Object.keys(stage.outputs).length === 0)
        await this.deleteDeadStack(stage.region, stage.cfnStackName, state);
      return this.fail(stage, ended('FAILED'));
    }

    // A database or bastion operation: did all its CloudFormation work (its record tells) happen?
    const complete =
      (type === 'PROVISION_BASTION' || type === 'DELETE_BASTION' || deployed) &&
      (await this.recordsDone(stage, type, operationId));
    await this.deps.store.finishOperation(
      tenantId,
      operationId,
      complete ? 'SUCCEEDED' : 'FAILED',
      complete ? undefined : INTERRUPTED,
    );
    const current = await this.deps.store.getStage(tenantId, stackId, stageName);
    const stageStatus: StageStatus = (await stillDeployed(current, this.deps)) ? 'ACTIVE' : 'FAILED';
    await this.deps.store.releaseStageLock(
      stage,
      operationId,
      stageStatus,
      complete ? undefined : INTERRUPTED,
    );
    await this.publish([ended(complete ? 'SUCCEEDED' : 'FAILED')]);
  }

  /** Whether the operation's database or bastion record shows its work done (reconciled already). */
  private async recordsDone(stage: Stage, type: OperationType, operationId: string): Promise<boolean> {
    const ref = { tenantId: stage.tenantId, stackId: stage.stackId, stageName: stage.name };
    switch (type) {
      case 'CREATE_STAGE':
      case 'UPDATE_STAGE':
        return true;
      case 'PROVISION_BASTION': {
        const bastion = await this.deps.databases.getBastion(ref);
        return bastion?.lastOperationId === operationId && bastion.status === 'AVAILABLE';
      }
      case 'DELETE_BASTION':
        return (await this.deps.databases.getBastion(ref)) === undefined;
      default: {
        const mine = (await this.deps.databases.allDatabases(ref)).find(
          (db) => db.lastOperationId === operationId,
        );
        if (type === 'DELETE_DATABASE') return mine === undefined;
        return mine?.status === 'AVAILABLE' && mine.lastError === undefined;
      }
    }
  }

  private async succeed(stage: Stage, outputs: Record<string, string>, ended: PlatformEvent): Promise<void> {
    await this.deps.store.finishOperation(stage.tenantId, stage.lock!.operationId, 'SUCCEEDED');
    await this.publish([ended, stageChanged(stage, 'ACTIVE', { url: outputs.StageUrl })]);
  }

  /** The stage workflows' failure path (RecordFailure), with the interruption as the reason. */
  private async fail(stage: Stage, ended: PlatformEvent): Promise<void> {
    const { tenantId, stackId, name: stageName } = stage;
    const operationId = stage.lock!.operationId;
    const { reason, stageStatus } = await recordFailure(
      {
        tenantId,
        stackId,
        stageName,
        operationId,
        error: { Error: 'Interrupted', Cause: lambdaCause(INTERRUPTED) },
      },
      this.deps,
    );
    const current = await this.deps.store.getStage(tenantId, stackId, stageName);
    await this.publish([
      ended,
      stageChanged(
        stage,
        stageStatus,
        stageStatus === 'FAILED' ? { error: reason } : { url: current?.outputs.StageUrl },
      ),
    ]);
  }

  // ---- runs, approvals, pipelines ------------------------------------------------------------

  /** A run's workflow is gone: the run ends FAILED, each of its stages at a final status. */
  async endRun(run: Run): Promise<void> {
    const { tenantId, runId } = run;
    const current = (run.stageOrder ?? []).find((name) =>
      ['DEPLOYING', 'WAITING_FOR_APPROVAL', 'WAITING_FOR_WINDOW'].includes(run.stages[name]?.status ?? ''),
    );
    const at = current ? run.stages[current]! : undefined;
    let stageStatus: RunStage['status'] | undefined;
    if (at?.status === 'WAITING_FOR_WINDOW') stageStatus = 'FAILED';
    if (at?.status === 'WAITING_FOR_APPROVAL') {
      stageStatus = 'FAILED';
      if (at.approvalId) {
        const approval = await this.deps.approvals.getApproval(tenantId, at.approvalId);
        if (approval) await this.closeApproval(approval);
      }
    } else if (at?.status === 'DEPLOYING') {
      const operation = at.operationId
        ? await this.deps.store.getOperation(tenantId, at.operationId)
        : undefined;
      if (operation?.status === 'SUCCEEDED') {
        await this.deps.pipelines.updateRunStage(tenantId, runId, current!, {
          status: 'SUCCEEDED',
          endedAt: operation.endedAt ?? new Date().toISOString(),
        });
      } else {
        stageStatus = 'FAILED';
        // The stage runs its previous image (the deploy never reached it, or rolled back).
        const stage = { tenantId, stackId: run.stackId, name: current! };
        if (run.imageUri) await this.deps.pipelines.revertStageImage(stage, run.imageUri);
      }
    }
    await this.deps.pipelines.endRun(tenantId, runId, 'FAILED', {
      error: RUN_INTERRUPTED,
      ...(stageStatus ? { stageName: current, stageStatus } : {}),
    });
    log.info('pipeline run interrupted by a restart', { runId, stageName: current, stageStatus });
    await this.publish([
      {
        detailType: 'Pipeline Run Status Change',
        detail: { tenantId, stackId: run.stackId, runId, status: 'FAILED', error: RUN_INTERRUPTED },
      },
    ]);
  }

  /** An approval nothing waits for any more: closed, its links answer 410. */
  async closeApproval(approval: StoredApproval): Promise<void> {
    await this.deps.approvals.settleApproval(approval.tenantId, approval.approvalId, {
      status: 'EXPIRED',
      decidedBy: 'tinystacks',
      comment: RUN_INTERRUPTED,
    });
  }

  /**
   * A stack left DELETING: gone (its records removed, the operation SUCCEEDED) if its pipeline stack
   * is; else DELETE_FAILED with the reason (CloudFormation's, if its deletion failed), to be
   * deleted again.
   */
  async finishStackDeletion(stack: Stack): Promise<void> {
    const { tenantId, stackId } = stack;
    const operationId = stack.lock?.operationId;
    if (!operationId) return;
    const cfnStackName = pipelineCfnStackNameOf(stackId);
    const state = await this.stackState(stack.region, cfnStackName);
    log.info('stack deletion reconciled after a restart', { stackId, stack: state?.status });
    const ids = { tenantId, stackId, operationId };
    const event = (status: string, extra: Record<string, unknown> = {}) => ({
      detailType: 'Operation Status Change',
      detail: { ...ids, type: 'DELETE_STACK', status, ...extra },
    });
    if (!state || state.status === 'DELETE_COMPLETE') {
      await removeStack(ids, this.deps);
      await this.deps.store.finishOperation(tenantId, operationId, 'SUCCEEDED');
      return this.publish([event('SUCCEEDED')]);
    }
    const why =
      state.status === 'DELETE_FAILED'
        ? (
            await explainStackFailure(
              {
                tenantId,
                operationId,
                cfnStackName,
                target: { roleArn: stack.roleArn, region: stack.region },
              },
              this.deps,
            )
          ).reason
        : `its pipeline stack is ${state.status}`;
    const { reason } = await recordStackDeletionFailure(
      { ...ids, error: { Error: 'Interrupted', Cause: `${INTERRUPTED}: ${why}; delete the stack again` } },
      this.deps,
    );
    return this.publish([event('FAILED', { error: reason })]);
  }

  async reconcilePipeline(stack: Stack): Promise<void> {
    const { tenantId, stackId } = stack;
    const name = pipelineCfnStackNameOf(stackId);
    const state = await this.stackState(stack.region, name);
    log.info('pipeline reconciled after a restart', { stackId, stack: state?.status });
    if (state && DEPLOYED_STATUSES.includes(state.status)) {
      await recordPipelineReady({ tenantId, stackId, outputs: state.outputs }, this.deps);
      return this.publish([
        { detailType: 'Pipeline Status Change', detail: { tenantId, stackId, status: 'ACTIVE' } },
      ]);
    }
    await this.deleteDeadStack(stack.region, name, state);
    const error = `${INTERRUPTED}: retry with POST /v1/stacks/${stackId}/pipeline/retry`;
    await this.deps.pipelines.setStackPipeline(tenantId, stackId, {
      ...stack.pipeline!,
      status: 'FAILED',
      error,
    });
    await this.publish([
      { detailType: 'Pipeline Status Change', detail: { tenantId, stackId, status: 'FAILED', error } },
    ]);
  }
}

/** The stage's `Stage Status Change`: a URL when ACTIVE (if it has one), the reason when FAILED. */
function stageChanged(
  stage: Stage,
  status: StageStatus,
  extra: { url?: string; error?: string },
): PlatformEvent {
  const { tenantId, stackId, name: stageName } = stage;
  return {
    detailType: 'Stage Status Change',
    detail: {
      tenantId,
      stackId,
      stageName,
      operationId: stage.lock!.operationId,
      status,
      ...(status === 'ACTIVE' && extra.url ? { url: extra.url } : {}),
      ...(status === 'FAILED' && extra.error ? { error: extra.error } : {}),
    },
  };
}

/** Lambda errors carry their message in a JSON Cause; recordFailure reads it from there. */
const lambdaCause = (message: string) => JSON.stringify({ errorMessage: message });
