import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../domain/errors';
import type { Operation, OperationStatus } from '../domain/operation';
import { assertStackActive, type Stack } from '../domain/stack';
import {
  changedSettings,
  SETTING_NAMES,
  type Stage,
  type StageSettings,
  type StageStatus,
  withSettingDefaults,
} from '../domain/stage';
import { DeploymentStore } from './deployments';
import { gsi1, keys } from './keys';
import type { Page, PageRequest } from './page';
import { conditionalUpdate, isConditionFailure, queryIndexPage, queryPrefixPage, record } from './items';

/**
 * The DynamoDB repository. Every write that guards an invariant is a single-item conditional write:
 * no transactions, so it runs the same on DynamoDB and on dynalite, and costs one WCU.
 */
export class Store {
  /** The stages' deployments (src/store/deployments.ts), on the same table. */
  readonly deployments: DeploymentStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {
    this.deployments = new DeploymentStore(db, tableName);
  }

  // ---- tenants -------------------------------------------------------------------------------

  /** The tenant's external id for cross-account roles, created on first use. */
  async tenantExternalId(tenantId: string, generate: () => string): Promise<string> {
    const key = keys.tenantProfile(tenantId);
    const existing = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    if (existing.Item) return existing.Item.externalId as string;
    const externalId = generate();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, tenantId, externalId, createdAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return externalId;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Another request created it first: theirs is the one.
      return this.tenantExternalId(tenantId, generate);
    }
  }

  // ---- stacks --------------------------------------------------------------------------------

  async putStack(stack: Stack): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.stack(stack.tenantId, stack.stackId), kind: 'stack', ...stack },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Claims a stack name in its tenant, case-insensitively, with one conditional put; a name taken
   * is a 409 naming the stack that has it. Claimed before the stack is written, released after it
   * is deleted (or when its creation fails).
   */
  async claimStackName(tenantId: string, name: string, stackId: string): Promise<void> {
    const key = keys.stackName(tenantId, name);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, kind: 'stack-name', name, stackId },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
      const held = record<{ name: string; stackId: string }>(out.Item);
      throw conflict(`a stack named ${held?.name ?? name} already exists`, {
        field: 'name',
        ...(held ? { stackId: held.stackId } : {}),
      });
    }
  }

  /** Frees a name for reuse; only the stack that holds it can. */
  async releaseStackName(tenantId: string, name: string, stackId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.stackName(tenantId, name),
          ConditionExpression: 'stackId = :stackId',
          ExpressionAttributeValues: { ':stackId': stackId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getStack(tenantId: string, stackId: string): Promise<Stack | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.stack(tenantId, stackId) }),
    );
    return record<Stack>(out.Item);
  }

  async requireStack(tenantId: string, stackId: string): Promise<Stack> {
    const stack = await this.getStack(tenantId, stackId);
    if (!stack) throw notFound(`stack ${stackId}`);
    return stack;
  }

  async listStacks(tenantId: string, page: PageRequest): Promise<Page<Stack>> {
    const pk = keys.stack(tenantId, '').pk;
    return queryPrefixPage<Stack>(this.db, this.tableName, { pk, prefix: 'STACK#' }, page);
  }

  /**
   * Takes the stack for its deletion: one conditional write, which holds only while the stack has
   * no stages (they count as holds: `stageCount = 0`) and no other operation holds it. A stack whose
   * last deletion failed can be taken again. Undefined when it was taken; else the stack as it is.
   */
  async lockStackForDeletion(
    tenantId: string,
    stackId: string,
    operationId: string,
  ): Promise<Stack | undefined> {
    const now = new Date().toISOString();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stack(tenantId, stackId),
          UpdateExpression:
            'SET #lock = :lock, #status = :deleting, lastOperationId = :op, updatedAt = :now REMOVE lastError',
          ConditionExpression: 'attribute_exists(pk) AND stageCount = :zero AND attribute_not_exists(#lock)',
          ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' },
          ExpressionAttributeValues: {
            ':lock': { operationId, acquiredAt: now },
            ':deleting': 'DELETING',
            ':op': operationId,
            ':zero': 0,
            ':now': now,
          },
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.requireStack(tenantId, stackId);
    }
  }

  /** Gives the stack back (its deletion failed, or never started); only the holder can. */
  async releaseStackLock(
    tenantId: string,
    stackId: string,
    operationId: string,
    status: 'ACTIVE' | 'DELETE_FAILED',
    error?: string,
  ): Promise<void> {
    await this.releaseLock(keys.stack(tenantId, stackId), operationId, status, error);
  }

  /** Removes a deleted stack: only while its deletion holds it; a retry after it is gone is a no-op. */
  async removeStack(tenantId: string, stackId: string, operationId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.stack(tenantId, stackId),
          ConditionExpression: 'attribute_not_exists(pk) OR #lock.operationId = :op',
          ExpressionAttributeNames: { '#lock': 'lock' },
          ExpressionAttributeValues: { ':op': operationId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** A new stage holds its stack: not one being deleted, nor one whose deletion failed (409). */
  async adjustStageCount(tenantId: string, stackId: string, delta: 1 | -1): Promise<void> {
    const adding = delta > 0;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stack(tenantId, stackId),
          UpdateExpression: 'ADD stageCount :delta SET updatedAt = :now',
          ConditionExpression: adding
            ? 'attribute_exists(pk) AND attribute_not_exists(#lock) AND (attribute_not_exists(#status) OR #status = :active)'
            : 'attribute_exists(pk)',
          ...(adding ? { ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' } } : {}),
          ExpressionAttributeValues: {
            ':delta': delta,
            ':now': new Date().toISOString(),
            ...(adding ? { ':active': 'ACTIVE' } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      assertStackActive(await this.requireStack(tenantId, stackId));
      throw notFound(`stack ${stackId}`);
    }
  }

  // ---- stages --------------------------------------------------------------------------------

  /** Creates the stage already locked by its create operation; a taken name is a 409. */
  async createStage(stage: Stage): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.stage(stage.tenantId, stage.stackId, stage.name),
            gsi1pk: gsi1.stagesOf(stage.tenantId, stage.stackId),
            gsi1sk: `${stage.createdAt}#${stage.name}`,
            kind: 'stage',
            ...stage,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw conflict(`stage ${stage.name} already exists in this stack`, {
        field: 'name',
        stageName: stage.name,
      });
    }
  }

  async getStage(tenantId: string, stackId: string, stageName: string): Promise<Stage | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.stage(tenantId, stackId, stageName) }),
    );
    const stage = record<Stage>(out.Item);
    return stage && withSettingDefaults(stage);
  }

  async requireStage(tenantId: string, stackId: string, stageName: string): Promise<Stage> {
    const stage = await this.getStage(tenantId, stackId, stageName);
    if (!stage) throw notFound(`stage ${stageName}`);
    return stage;
  }

  async listStages(tenantId: string, stackId: string, page: PageRequest): Promise<Page<Stage>> {
    const found = await this.queryIndex<Stage>(gsi1.stagesOf(tenantId, stackId), page, 'oldest-first');
    return { ...found, items: found.items.map(withSettingDefaults) };
  }

  /**
   * Takes the stage's lock for an operation: one mutating operation per stage at a time. A held
   * lock is a 409 naming the operation that holds it. New settings are recorded as the operation's
   * pending change (replacing the last failed one): the stage's settings stay what is deployed
   * until the operation has deployed them (`setStageOutputs`); so does its image, when it deploys
   * another one than the stage's (a rollback).
   */
  async lockStage(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    status: StageStatus,
    settings?: StageSettings,
    imageUri?: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stage(stage.tenantId, stage.stackId, stage.name),
          UpdateExpression:
            'SET #lock = :lock, #status = :status, lastOperationId = :op, updatedAt = :now' +
            (settings ? ', pendingChange = :change REMOVE failedChange' : ''),
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#lock)',
          ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' },
          ExpressionAttributeValues: {
            ':lock': { operationId, acquiredAt: now },
            ':status': status,
            ':op': operationId,
            ':now': now,
            ...(settings ? { ':change': { operationId, settings, ...(imageUri ? { imageUri } : {}) } } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.requireStage(stage.tenantId, stage.stackId, stage.name);
      throw conflict(`stage ${stage.name} is busy with operation ${current.lock?.operationId}`, {
        operationId: current.lock?.operationId,
      });
    }
  }

  /**
   * Holds a settings change for a run's deploy that waits for approval (issue 13 §3,
   * src/app/deploy-plans.ts): the pending change of the deploy's operation, without the lock (the
   * deploy takes it). False when the stage is locked, or holds another operation's change.
   */
  async holdPendingChange(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    settings: StageSettings,
  ): Promise<boolean> {
    const written = await conditionalUpdate(
      this.db,
      this.tableName,
      keys.stage(stage.tenantId, stage.stackId, stage.name),
      {
        UpdateExpression: 'SET pendingChange = :change, updatedAt = :now REMOVE failedChange',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(#lock) AND (attribute_not_exists(pendingChange) OR pendingChange.operationId = :op)',
        ExpressionAttributeNames: { '#lock': 'lock' },
        ExpressionAttributeValues: {
          ':change': { operationId, settings },
          ':op': operationId,
          ':now': new Date().toISOString(),
        },
      },
    );
    return written !== undefined;
  }

  /** Releases the lock only if this operation holds it, so a late retry cannot free someone else's. */
  async releaseStageLock(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    status: StageStatus,
    error?: string,
  ): Promise<void> {
    await this.releaseLock(keys.stage(stage.tenantId, stage.stackId, stage.name), operationId, status, error);
  }

  /** Sets an item's status and removes its lock, if `operationId` still holds it (else a no-op). */
  private async releaseLock(
    key: Record<string, string>,
    operationId: string,
    status: string,
    error?: string,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression:
            'REMOVE #lock SET #status = :status, updatedAt = :now' + (error ? ', lastError = :err' : ''),
          ConditionExpression: '#lock.operationId = :op',
          ExpressionAttributeNames: { '#lock': 'lock', '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': new Date().toISOString(),
            ':op': operationId,
            ...(error ? { ':err': error } : {}),
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /**
   * The operation's pending settings change will not be deployed: it is kept as the stage's
   * `failedChange` (the settings it asked for, and why), and the stage's settings stay as deployed.
   */
  async failPendingChange(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    reason: string,
  ): Promise<void> {
    const current = await this.getStage(stage.tenantId, stage.stackId, stage.name);
    const pending = current?.pendingChange;
    if (!current || pending?.operationId !== operationId) return;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stage(stage.tenantId, stage.stackId, stage.name),
          UpdateExpression: 'SET failedChange = :failed REMOVE pendingChange',
          ConditionExpression: 'pendingChange.operationId = :op',
          ExpressionAttributeValues: {
            ':op': operationId,
            ':failed': {
              ...changedSettings(current, pending.settings),
              operationId,
              reason,
              failedAt: new Date().toISOString(),
            },
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Removes a stage whose create never started, or whose stacks are gone. */
  async deleteStage(stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.stage(stage.tenantId, stage.stackId, stage.name),
      }),
    );
  }

  /**
   * Removes a deleted stage. Safe to retry: the stage goes first (held by this operation), then the
   * stack's count drops once per operation, remembered on the stack item, so a retry after a failed
   * decrement still decrements, and a retry after a successful one does not.
   */
  async removeStage(stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>, operationId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.stage(stage.tenantId, stage.stackId, stage.name),
          ConditionExpression: 'attribute_not_exists(pk) OR #lock.operationId = :op',
          ExpressionAttributeNames: { '#lock': 'lock' },
          ExpressionAttributeValues: { ':op': operationId },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // another operation holds the stage: not ours to remove
      throw error;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stack(stage.tenantId, stage.stackId),
          UpdateExpression: 'ADD stageCount :minusOne, removedBy :op SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(removedBy, :opId)',
          ExpressionAttributeValues: {
            ':minusOne': -1,
            ':op': new Set([operationId]),
            ':opId': operationId,
            ':now': new Date().toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The operation deployed the stage: ACTIVE with its outputs, unlocked, and the settings it
   * deployed (its pending change, if it had one) are now the stage's, as are the image it deployed
   * (a rollback's) and the deployment it is.
   */
  async setStageOutputs(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>,
    operationId: string,
    outputs: Record<string, string>,
    serviceEnvironmentNames: string[],
    deployed: { settings?: StageSettings; imageUri?: string; deploymentId?: string } = {},
  ): Promise<void> {
    const { settings, imageUri, deploymentId } = deployed;
    // A setting a stage stored before it existed has no value to write: it is left out, not nulled.
    const settingNames = settings ? SETTING_NAMES.filter((n) => settings[n] !== undefined) : [];
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.stage(stage.tenantId, stage.stackId, stage.name),
        UpdateExpression:
          `REMOVE #lock, lastError${settings ? ', pendingChange' : ''} ` +
          'SET #status = :active, outputs = :outputs, serviceEnvironmentNames = :names, updatedAt = :now' +
          (imageUri ? ', imageUri = :image' : '') +
          (deploymentId ? ', deploymentId = :deployment' : '') +
          settingNames.map((n) => `, #s_${n} = :s_${n}`).join(''),
        ConditionExpression: '#lock.operationId = :op',
        ExpressionAttributeNames: {
          '#lock': 'lock',
          '#status': 'status',
          ...Object.fromEntries(settingNames.map((n) => [`#s_${n}`, n])),
        },
        ExpressionAttributeValues: {
          ':active': 'ACTIVE',
          ':outputs': outputs,
          ':names': serviceEnvironmentNames,
          ':now': new Date().toISOString(),
          ':op': operationId,
          ...(imageUri ? { ':image': imageUri } : {}),
          ...(deploymentId ? { ':deployment': deploymentId } : {}),
          ...Object.fromEntries(settingNames.map((n) => [`:s_${n}`, settings![n]])),
        },
      }),
    );
  }

  // ---- operations ----------------------------------------------------------------------------

  async putOperation(op: Operation): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.operation(op.tenantId, op.operationId),
          gsi1pk: gsi1.operationsOf(op.tenantId, op.stackId),
          gsi1sk: op.operationId,
          kind: 'operation',
          ...op,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getOperation(tenantId: string, operationId: string): Promise<Operation | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.operation(tenantId, operationId) }),
    );
    return record<Operation>(out.Item);
  }

  async listOperations(tenantId: string, stackId: string, page: PageRequest): Promise<Page<Operation>> {
    return this.queryIndex<Operation>(gsi1.operationsOf(tenantId, stackId), page, 'newest-first');
  }

  /** One page of a GSI1 partition: the orderings lists need (see keys.ts). */
  protected queryIndex<T>(partition: string, page: PageRequest, order: 'oldest-first' | 'newest-first') {
    return queryIndexPage<T>(this.db, this.tableName, partition, page, order);
  }

  async setOperationStarted(tenantId: string, operationId: string, executionArn: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.operation(tenantId, operationId),
        UpdateExpression: 'SET executionArn = :arn, updatedAt = :now',
        ExpressionAttributeValues: { ':arn': executionArn, ':now': new Date().toISOString() },
      }),
    );
  }

  /** Terminal states are final: a late writer cannot move an operation out of them. */
  async finishOperation(
    tenantId: string,
    operationId: string,
    status: Extract<OperationStatus, 'SUCCEEDED' | 'FAILED'>,
    error?: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.operation(tenantId, operationId),
          UpdateExpression:
            'SET #status = :status, updatedAt = :now, endedAt = :now' + (error ? ', #error = :error' : ''),
          ConditionExpression: 'attribute_exists(pk) AND NOT #status IN (:ok, :failed)',
          ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': now,
            ':ok': 'SUCCEEDED',
            ':failed': 'FAILED',
            ...(error ? { ':error': error } : {}),
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
