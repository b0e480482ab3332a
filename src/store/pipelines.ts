import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../domain/errors';
import type { Run, RunStage, RunStatus, StackPipeline, WindowOverride } from '../domain/pipeline';
import { TERMINAL_RUN_STATUSES } from '../domain/pipeline';
import type { Stage } from '../domain/stage';
import { gsi1, keys } from './keys';
import type { Page, PageRequest } from './page';
import { isConditionFailure, queryIndexPage, record, TableStore } from './items';

/** GitHub redelivers a delivery with the same id for up to 7 days (Enterprise Server); one more day of margin. */
export const DELIVERY_TTL_SECONDS = 8 * 24 * 3600;
/** A claim whose request died before it finished can be taken over by a redelivery after this. */
export const DELIVERY_LEASE_SECONDS = 60;

export type DeliveryClaim =
  { kind: 'new'; runId: string; claimedAt: number } | { kind: 'duplicate'; outcome?: string; runId?: string };

/** What the run item holds besides the Run: the build wait, never shown to clients. */
export interface StoredRun extends Run {
  buildToken?: string;
  buildOutcome?: { status: string };
  buildResumedAt?: string;
  /** The deploy-window wait: the parked token, and why someone woke it (src/app/deploy-windows.ts). */
  windowWait?: WindowWait;
}

export interface WindowWait {
  stageName: string;
  token?: string;
  wake?: 'override' | 'superseded';
  resumedAt?: string;
}

/** A run that reached a stage's closed window: the newest one waits there, an older one is superseded. */
export type WindowSlotClaim = { superseded: false; previous?: string } | { superseded: true; by: string };

/** Deploy-window waits end within MAX_WINDOW_WAIT_SECONDS; their stage's slot item is kept a day longer. */
const WINDOW_SLOT_TTL_SECONDS = 9 * 24 * 3600;

/** Which run a CodePipeline execution builds, found from its state-change event. */
export interface ExecutionLookup {
  tenantId: string;
  stackId: string;
  runId: string;
  /** The account the pipeline lives in: events from any other account are not about it. */
  account?: string;
}

/**
 * Runs, GitHub deliveries and pipeline execution lookups (their approvals: ./approvals.ts). Every invariant is held by a
 * single-item conditional write, as in src/store/store.ts.
 */
export class PipelineStore extends TableStore {
  // ---- stacks' pipelines ---------------------------------------------------------------------

  async setStackPipeline(tenantId: string, stackId: string, pipeline: StackPipeline): Promise<void> {
    await this.update(keys.stack(tenantId, stackId), {
      UpdateExpression: 'SET pipeline = :p, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':p': pipeline, ':now': new Date().toISOString() },
    });
  }

  // ---- GitHub deliveries ---------------------------------------------------------------------

  /**
   * One conditional put per delivery: the first request claims it (with the id of the run it will
   * record), every copy after it is a duplicate. An expired record counts as none (TTL deletes
   * lazily), and a claim abandoned mid-request can be taken over, keeping its run id, so a
   * redelivery finishes the work without ever recording a second run.
   */
  async claimDelivery(
    tenantId: string,
    stackId: string,
    deliveryId: string,
    newRunId: string,
    now = Date.now(),
  ): Promise<DeliveryClaim> {
    const nowSeconds = Math.floor(now / 1000);
    const key = keys.delivery(tenantId, stackId, deliveryId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            kind: 'delivery',
            deliveryId,
            stackId,
            state: 'PROCESSING',
            runId: newRunId,
            claimedAt: nowSeconds,
            receivedAt: new Date(now).toISOString(),
            expiresAt: nowSeconds + DELIVERY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return { kind: 'new', runId: newRunId, claimedAt: nowSeconds };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(key);
    if (!existing) return this.claimDelivery(tenantId, stackId, deliveryId, newRunId, now);
    if (existing.state === 'PROCESSING' && Number(existing.claimedAt) < nowSeconds - DELIVERY_LEASE_SECONDS) {
      const taken = await this.update(key, {
        UpdateExpression: 'SET claimedAt = :now',
        ConditionExpression: '#state = :processing AND claimedAt = :seen',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':now': nowSeconds,
          ':processing': 'PROCESSING',
          ':seen': existing.claimedAt,
        },
      });
      if (taken) return { kind: 'new', runId: String(taken.runId), claimedAt: nowSeconds };
    }
    return {
      kind: 'duplicate',
      outcome: existing.state as string,
      ...(existing.state === 'RUN' ? { runId: existing.runId as string } : {}),
    };
  }

  /**
   * Gives up a claim whose delivery could not be handled, so GitHub's redelivery (same id) is
   * handled afresh instead of answered "duplicate". Only the claim's own holder, and only while it
   * is still processing: a claim another request took over, or finished, is left alone.
   */
  async releaseDelivery(
    tenantId: string,
    stackId: string,
    deliveryId: string,
    claim: { claimedAt: number },
  ): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.delivery(tenantId, stackId, deliveryId),
          ConditionExpression: '#state = :processing AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':processing': 'PROCESSING', ':claimedAt': claim.claimedAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async finishDelivery(
    tenantId: string,
    stackId: string,
    deliveryId: string,
    outcome: 'RUN' | 'IGNORED',
    reason?: string,
  ): Promise<void> {
    await this.update(keys.delivery(tenantId, stackId, deliveryId), {
      UpdateExpression: 'SET #state = :outcome' + (reason ? ', reason = :reason' : ''),
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':outcome': outcome, ...(reason ? { ':reason': reason } : {}) },
    });
  }

  async getDelivery(tenantId: string, stackId: string, deliveryId: string) {
    return record<{ state: string; runId?: string; reason?: string }>(
      await this.get(keys.delivery(tenantId, stackId, deliveryId)),
    );
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** False when the run already exists (a redelivery that took over an abandoned claim). */
  async putRun(run: Run): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.run(run.tenantId, run.runId),
            gsi1pk: gsi1.runsOf(run.tenantId, run.stackId),
            gsi1sk: run.runId,
            kind: 'run',
            ...run,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getRun(tenantId: string, runId: string): Promise<StoredRun | undefined> {
    return record<StoredRun>(await this.get(keys.run(tenantId, runId)));
  }

  async requireRun(tenantId: string, runId: string): Promise<StoredRun> {
    const run = await this.getRun(tenantId, runId);
    if (!run) throw new DomainError(404, 'NotFound', `run ${runId} not found`);
    return run;
  }

  async listRuns(tenantId: string, stackId: string, page: PageRequest): Promise<Page<StoredRun>> {
    return queryIndexPage<StoredRun>(
      this.db,
      this.tableName,
      gsi1.runsOf(tenantId, stackId),
      page,
      'newest-first',
    );
  }

  async setRunBuilding(tenantId: string, runId: string, pipelineExecutionId: string): Promise<void> {
    await this.update(keys.run(tenantId, runId), {
      UpdateExpression: 'SET #status = :building, pipelineExecutionId = :id, updatedAt = :now',
      ConditionExpression: '#status IN (:queued, :building)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':building': 'BUILDING',
        ':queued': 'QUEUED',
        ':id': pipelineExecutionId,
        ':now': new Date().toISOString(),
      },
    });
  }

  async putExecutionLookup(
    region: string,
    pipelineName: string,
    executionId: string,
    lookup: ExecutionLookup,
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.pipelineExecution(region, pipelineName, executionId),
          kind: 'pipelineExecution',
          ...lookup,
          createdAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + 30 * 24 * 3600,
        },
      }),
    );
  }

  async getExecutionLookup(region: string, pipelineName: string, executionId: string) {
    return record<ExecutionLookup>(await this.get(keys.pipelineExecution(region, pipelineName, executionId)));
  }

  /** The build wait (same pairing as src/store/stack-waits.ts): the token, parked by the workflow. */
  async parkBuildToken(tenantId: string, runId: string, executionId: string, token: string) {
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression: 'SET buildToken = :token',
        ConditionExpression: 'pipelineExecutionId = :id',
        ExpressionAttributeValues: { ':token': token, ':id': executionId },
      }),
    );
  }

  /** …and the outcome, from the pipeline's state-change event. Only the first outcome counts. */
  async recordBuildOutcome(tenantId: string, runId: string, executionId: string, status: string) {
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression: 'SET buildOutcome = :outcome',
        ConditionExpression: 'pipelineExecutionId = :id AND attribute_not_exists(buildOutcome)',
        ExpressionAttributeValues: { ':outcome': { status }, ':id': executionId },
      }),
    );
  }

  /** True for exactly one caller per wait: the one that may send the task success. */
  async claimBuildResume(tenantId: string, runId: string, token: string): Promise<boolean> {
    const claimed = await this.update(keys.run(tenantId, runId), {
      UpdateExpression: 'SET buildResumedAt = :now',
      ConditionExpression:
        'buildToken = :token AND attribute_exists(buildOutcome) AND attribute_not_exists(buildResumedAt)',
      ExpressionAttributeValues: { ':now': new Date().toISOString(), ':token': token },
    });
    return claimed !== undefined;
  }

  /**
   * The build succeeded (or, `reused`, the commit's image was there already and the QUEUED run built
   * nothing): the run snapshots the stack's stages and starts moving through them.
   */
  async beginPromotion(
    tenantId: string,
    runId: string,
    stageOrder: string[],
    imageUri: string,
    commitSha: string,
    options: { reused?: boolean } = {},
  ): Promise<void> {
    const stages = Object.fromEntries(stageOrder.map((name) => [name, { name, status: 'PENDING' }]));
    await this.update(keys.run(tenantId, runId), {
      UpdateExpression:
        'SET #status = :deploying, stageOrder = :order, stages = :stages, imageUri = :image, #commit.sha = :sha, updatedAt = :now' +
        (options.reused ? ', imageReused = :reused' : ''),
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status', '#commit': 'commit' },
      ExpressionAttributeValues: {
        ':deploying': 'DEPLOYING',
        ':from': options.reused ? 'QUEUED' : 'BUILDING',
        ...(options.reused ? { ':reused': true } : {}),
        ':order': stageOrder,
        ':stages': stages,
        ':image': imageUri,
        ':sha': commitSha,
        ':now': new Date().toISOString(),
      },
    });
  }

  /** Changes one stage of a running run (and the run's status with it). Ended runs do not change. */
  async updateRunStage(
    tenantId: string,
    runId: string,
    stageName: string,
    fields: Partial<RunStage>,
    runStatus?: RunStatus,
  ): Promise<void> {
    const entries = Object.entries(fields);
    const sets = entries.map((_, i) => `stages.#stage.#f${i} = :v${i}`);
    if (runStatus) sets.push('#status = :runStatus');
    await this.update(keys.run(tenantId, runId), {
      UpdateExpression: `SET ${[...sets, 'updatedAt = :now'].join(', ')}`,
      ConditionExpression: `attribute_exists(stages.#stage) AND NOT #status IN (${TERMINAL_RUN_STATUSES.map((_, i) => `:t${i}`).join(', ')})`,
      ExpressionAttributeNames: {
        '#stage': stageName,
        '#status': 'status',
        ...Object.fromEntries(entries.map(([field], i) => [`#f${i}`, field])),
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
        ...(runStatus ? { ':runStatus': runStatus } : {}),
        ...Object.fromEntries(TERMINAL_RUN_STATUSES.map((status, i) => [`:t${i}`, status])),
        ':now': new Date().toISOString(),
      },
    });
  }

  /**
   * Ends a run: its status is final, the stage it stopped at gets `stageStatus`, and the stages it
   * never reached are SKIPPED. Terminal states are final: a late writer changes nothing.
   */
  async endRun(
    tenantId: string,
    runId: string,
    status: Extract<RunStatus, 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SUPERSEDED'>,
    options: { error?: string; stageName?: string; stageStatus?: RunStage['status'] } = {},
  ): Promise<StoredRun | undefined> {
    const run = await this.getRun(tenantId, runId);
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return undefined;
    const now = new Date().toISOString();
    const stages: Record<string, RunStage> = { ...(run.stages ?? {}) };
    for (const name of run.stageOrder ?? []) {
      const stage = stages[name]!;
      if (name === options.stageName && options.stageStatus) {
        stages[name] = {
          ...stage,
          status: options.stageStatus,
          endedAt: now,
          ...(options.error && options.stageStatus === 'FAILED' ? { error: options.error } : {}),
        };
      } else if (stage.status === 'PENDING') stages[name] = { ...stage, status: 'SKIPPED' };
    }
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression:
          'SET #status = :status, stages = :stages, updatedAt = :now, endedAt = :now' +
          (options.error ? ', #error = :error' : ''),
        ConditionExpression: '#status = :seen',
        ExpressionAttributeNames: { '#status': 'status', ...(options.error ? { '#error': 'error' } : {}) },
        ExpressionAttributeValues: {
          ':status': status,
          ':stages': stages,
          ':now': now,
          ':seen': run.status,
          ...(options.error ? { ':error': options.error } : {}),
        },
      }),
    );
  }

  // ---- stage deploys ---------------------------------------------------------------------------

  /**
   * Takes the stage's lock for a run's deploy and records the new image, in one write. A run never
   * deploys over a newer run's image (run ids are time-ordered): that run is superseded.
   */
  async lockStageForDeploy(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    imageUri: string,
    runId: string,
  ): Promise<'locked' | { busyWith: string } | 'superseded' | 'missing'> {
    const now = new Date().toISOString();
    const key = keys.stage(stage.tenantId, stage.stackId, stage.name);
    const done = await this.update(key, {
      UpdateExpression:
        'SET #lock = :lock, #status = :updating, lastOperationId = :op, previousImageUri = imageUri, imageUri = :image, deployedRunId = :run, updatedAt = :now',
      ConditionExpression:
        // <=: a run whose planned deploy went stale (issue 13 §3) locks the stage again for its new plan.
        'attribute_exists(pk) AND attribute_not_exists(#lock) AND (attribute_not_exists(deployedRunId) OR deployedRunId <= :run)',
      ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' },
      ExpressionAttributeValues: {
        ':lock': { operationId, acquiredAt: now },
        ':updating': 'UPDATING',
        ':op': operationId,
        ':image': imageUri,
        ':run': runId,
        ':now': now,
      },
    });
    if (done) return 'locked';
    const current = record<Stage & { deployedRunId?: string }>(await this.get(key));
    if (!current) return 'missing';
    if (current.lock?.operationId === operationId) return 'locked'; // a retry of this very call
    if (current.deployedRunId && current.deployedRunId > runId) return 'superseded';
    return { busyWith: current.lock?.operationId ?? 'unknown' };
  }

  /** A failed deploy leaves the stage on its previous image (CloudFormation rolled back to it). */
  async revertStageImage(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    imageUri: string,
  ): Promise<void> {
    await this.update(keys.stage(stage.tenantId, stage.stackId, stage.name), {
      UpdateExpression: 'SET imageUri = previousImageUri',
      ConditionExpression:
        'imageUri = :image AND attribute_exists(previousImageUri) AND attribute_not_exists(#lock)',
      ExpressionAttributeNames: { '#lock': 'lock' },
      ExpressionAttributeValues: { ':image': imageUri },
    });
  }

  // ---- deploy windows --------------------------------------------------------------------------

  /**
   * Takes a stage's window slot for a run that must wait: one conditional put, which a newer run
   * already holding the slot refuses (this run is superseded). Answers the run it took over from.
   */
  async claimWindowSlot(
    tenantId: string,
    stackId: string,
    stageName: string,
    runId: string,
  ): Promise<WindowSlotClaim> {
    const key = keys.windowWait(tenantId, stackId, stageName);
    try {
      const out = await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            kind: 'windowWait',
            runId,
            expiresAt: Math.floor(Date.now() / 1000) + WINDOW_SLOT_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR runId <= :run',
          ExpressionAttributeValues: { ':run': runId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const previous = out.Attributes?.runId as string | undefined;
      return { superseded: false, ...(previous && previous !== runId ? { previous } : {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const holder = await this.get(key);
      return { superseded: true, by: String(holder?.runId) };
    }
  }

  /**
   * The run waits for the stage's window until `opensAt`: its stage and itself WAITING_FOR_WINDOW,
   * and a fresh wait (no token yet). Refused, so that the caller looks again, when the run ended,
   * when the stage was overridden, or when someone woke this stage's wait since the caller looked.
   */
  async beginWindowWait(
    tenantId: string,
    runId: string,
    stageName: string,
    times: { opensAt: string; waitingSince: string },
  ): Promise<boolean> {
    const written = await this.update(keys.run(tenantId, runId), {
      UpdateExpression:
        'SET stages.#stage.#status = :waiting, stages.#stage.opensAt = :opens, stages.#stage.waitingSince = :since, #status = :waiting, #wait = :wait, updatedAt = :now',
      ConditionExpression:
        `attribute_exists(stages.#stage) AND NOT #status IN (${TERMINAL_RUN_STATUSES.map((_, i) => `:t${i}`).join(', ')})` +
        ' AND attribute_not_exists(stages.#stage.#override)' +
        ' AND (attribute_not_exists(#wait) OR #wait.stageName <> :stage OR attribute_not_exists(#wait.wake))',
      ExpressionAttributeNames: {
        '#stage': stageName,
        '#status': 'status',
        '#override': 'override',
        '#wait': 'windowWait',
      },
      ExpressionAttributeValues: {
        ':waiting': 'WAITING_FOR_WINDOW',
        ':opens': times.opensAt,
        ':since': times.waitingSince,
        ':wait': { stageName } satisfies WindowWait,
        ':stage': stageName,
        ':now': new Date().toISOString(),
        ...Object.fromEntries(TERMINAL_RUN_STATUSES.map((status, i) => [`:t${i}`, status])),
      },
    });
    return written !== undefined;
  }

  /** The window wait's task token, parked by the workflow; undefined if the run no longer waits there. */
  async parkWindowToken(tenantId: string, runId: string, stageName: string, token: string) {
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression: 'SET #wait.#token = :token',
        ConditionExpression: '#wait.stageName = :stage AND stages.#stage.#status = :waiting',
        ExpressionAttributeNames: {
          '#wait': 'windowWait',
          '#token': 'token',
          '#stage': stageName,
          '#status': 'status',
        },
        ExpressionAttributeValues: { ':token': token, ':stage': stageName, ':waiting': 'WAITING_FOR_WINDOW' },
      }),
    );
  }

  /** Something the waiting run must look at happened (an override, a newer run): the first wake counts. */
  async wakeWindowWait(tenantId: string, runId: string, stageName: string, why: WindowWait['wake']) {
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression: 'SET #wait.wake = :why',
        ConditionExpression: '#wait.stageName = :stage AND attribute_not_exists(#wait.wake)',
        ExpressionAttributeNames: { '#wait': 'windowWait' },
        ExpressionAttributeValues: { ':why': why, ':stage': stageName },
      }),
    );
  }

  /** True for exactly one caller per wait: the one that may send the task success. */
  async claimWindowResume(tenantId: string, runId: string, token: string): Promise<boolean> {
    const claimed = await this.update(keys.run(tenantId, runId), {
      UpdateExpression: 'SET #wait.resumedAt = :now',
      ConditionExpression:
        '#wait.#token = :token AND attribute_exists(#wait.wake) AND attribute_not_exists(#wait.resumedAt)',
      ExpressionAttributeNames: { '#wait': 'windowWait', '#token': 'token' },
      ExpressionAttributeValues: { ':now': new Date().toISOString(), ':token': token },
    });
    return claimed !== undefined;
  }

  /**
   * Records who deploys the stage now, and why, on a run waiting for that stage's window; once.
   * Undefined when the run is not (or no longer) waiting there, or was overridden already.
   */
  async recordWindowOverride(tenantId: string, runId: string, stageName: string, override: WindowOverride) {
    return record<StoredRun>(
      await this.update(keys.run(tenantId, runId), {
        UpdateExpression: 'SET stages.#stage.#override = :override, updatedAt = :now',
        ConditionExpression:
          '#status = :waiting AND stages.#stage.#status = :waiting AND attribute_not_exists(stages.#stage.#override)',
        ExpressionAttributeNames: { '#stage': stageName, '#status': 'status', '#override': 'override' },
        ExpressionAttributeValues: {
          ':override': override,
          ':waiting': 'WAITING_FOR_WINDOW',
          ':now': new Date().toISOString(),
        },
      }),
    );
  }
}
