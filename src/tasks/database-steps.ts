import { targetOf } from '../app/accounts';
import { ENGINE_SPECS, type Database, type Engine } from '../domain/database';
import type { OperationType } from '../domain/operation';
import type { StageStatus } from '../domain/stage';
import type { StageOperationInput } from '../domain/workflow-input';
import { renderDatabaseTemplate, DATABASE_OUTPUTS } from '../templates/database';
import { STAGE_OUTPUTS } from '../templates/outputs';
import type { StageRef, TaskDeps } from './deps';
import { failStageOperation, type FailureInput } from './stage-steps';

export type DatabaseRef = StageRef & Required<Pick<StageOperationInput, 'engine'>>;

/** A task error the workflow records as the operation's reason. */
function stepError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const splitIds = (value: string | undefined) => (value ? value.split(',').filter(Boolean) : []);

/** Which template a database record renders: a former replica keeps its replica-only properties. */
function shapeOf(db: Database, operationType: OperationType | undefined) {
  if (db.mode === 'replica') return operationType === 'PROMOTE_DATABASE' ? 'promoted' : 'replica';
  return db.promotedAt ? 'promoted' : 'managed';
}

interface PendingSizes {
  instanceClass?: string;
  storageGb?: number;
}

/** Renders the database's own stack from its record and the stage's network outputs. */
export async function renderDatabase(
  ref: DatabaseRef & { operationType?: OperationType },
  deps: Pick<TaskDeps, 'store' | 'databases'>,
) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const stage = await deps.store.requireStage(ref.tenantId, ref.stackId, ref.stageName);
  const db = await deps.databases.requireDatabase(ref, ref.engine);
  const outputs = stage.outputs;
  const vpcId = outputs[STAGE_OUTPUTS.vpcId];
  const privateSubnetIds = splitIds(outputs[STAGE_OUTPUTS.privateSubnetIds]);
  if (!vpcId || privateSubnetIds.length === 0) {
    throw stepError('StageNotReady', `stage ${stage.name} has no network yet: create it first`);
  }
  const pending = (db as Database & { pending?: PendingSizes }).pending ?? {};
  const shape = shapeOf(db, ref.operationType);
  const template = renderDatabaseTemplate({
    stackId: stack.stackId,
    stackName: stack.name,
    stageName: stage.name,
    engine: db.engine,
    shape,
    instanceClass: pending.instanceClass ?? db.instanceClass ?? ENGINE_SPECS[db.engine].defaultInstanceClass,
    storageGb: pending.storageGb ?? db.storageGb,
    passwordVersion: db.passwordVersion,
    createdAt: db.createdAt,
    network: {
      vpcId,
      privateSubnetIds,
      clientSecurityGroupIds: [
        outputs[STAGE_OUTPUTS.serviceSecurityGroupId],
        outputs[STAGE_OUTPUTS.bastionSecurityGroupId],
      ].filter((id): id is string => Boolean(id)),
    },
    replica: db.replicaOf
      ? { sourceArn: db.replicaOf.sourceArn, sourceRegion: db.replicaOf.region, region: stage.region }
      : undefined,
  });
  return {
    templateBody: JSON.stringify(template),
    tags: {
      'tinystacks:stack-id': stack.stackId,
      'tinystacks:stack': stack.name,
      'tinystacks:stage': stage.name,
      'tinystacks:engine': db.engine,
    },
  };
}

/**
 * Reads the replica's source as it is now (it may have changed since the request): it must still
 * be an available database that TinyStacks built. Records what the replica stage's service needs
 * of the writer: its endpoint, port and secret.
 */
export async function recordReplicaSource(ref: DatabaseRef, deps: Pick<TaskDeps, 'store' | 'databases'>) {
  const replica = await deps.databases.requireDatabase(ref, ref.engine);
  const wanted = replica.replicaOf;
  if (!wanted) throw stepError('NotAReplica', `the ${ref.engine} database of ${ref.stageName} is no replica`);
  const sourceStage = await deps.store.getStage(ref.tenantId, ref.stackId, wanted.stageName);
  const source = sourceStage
    ? await deps.databases.getDatabase({ ...ref, stageName: wanted.stageName }, wanted.engine)
    : undefined;
  if (!sourceStage || !source || source.status !== 'AVAILABLE' || source.mode !== 'managed') {
    throw stepError(
      'ReplicaSourceUnavailable',
      `the ${wanted.engine} database of stage ${wanted.stageName} is not an available database TinyStacks built`,
    );
  }
  if (!source.instanceArn || !source.host || !source.secretArn) {
    throw stepError(
      'ReplicaSourceUnavailable',
      `the ${wanted.engine} database of ${wanted.stageName} is not ready`,
    );
  }
  await deps.databases.updateDatabase(ref, ref.engine, {
    replicaOf: {
      ...wanted,
      region: sourceStage.region,
      sourceArn: source.instanceArn,
      writerHost: source.host,
      writerPort: source.port,
      writerSecretArn: source.secretArn,
    },
    databaseName: source.databaseName,
  });
  return {};
}

export interface DatabaseReady extends DatabaseRef {
  operationType: OperationType;
  /** The database stack's outputs; empty for an existing database, which has no stack. */
  outputs: Record<string, string>;
}

/** The database is there: its endpoint, port and secret ARN (never the value) go on the record. */
export async function recordDatabaseReady(input: DatabaseReady, deps: Pick<TaskDeps, 'databases'>) {
  const db = await deps.databases.requireDatabase(input, input.engine);
  const pending = (db as Database & { pending?: PendingSizes }).pending;
  const outputs = input.outputs;
  const fields: Record<string, unknown> = { status: 'AVAILABLE', lastOperationId: input.operationId };
  if (outputs[DATABASE_OUTPUTS.endpoint]) fields.host = outputs[DATABASE_OUTPUTS.endpoint];
  if (outputs[DATABASE_OUTPUTS.port]) fields.port = Number(outputs[DATABASE_OUTPUTS.port]);
  if (outputs[DATABASE_OUTPUTS.secretArn]) fields.secretArn = outputs[DATABASE_OUTPUTS.secretArn];
  if (outputs[DATABASE_OUTPUTS.instanceArn]) fields.instanceArn = outputs[DATABASE_OUTPUTS.instanceArn];
  if (pending?.instanceClass) fields.instanceClass = pending.instanceClass;
  if (pending?.storageGb) fields.storageGb = pending.storageGb;
  // RDS counts its six hours between storage changes from the last one (src/domain/database.ts).
  if (pending?.storageGb && pending.storageGb !== db.storageGb)
    fields.storageChangedAt = new Date().toISOString();
  if (input.operationType === 'PROMOTE_DATABASE') {
    fields.mode = 'managed';
    fields.promotedAt = new Date().toISOString();
  }
  await deps.databases.updateDatabase(input, input.engine, fields, { remove: ['pending', 'lastError'] });
  return {};
}

/** After its stack is gone: the record goes too. */
export async function removeDatabase(ref: DatabaseRef, deps: Pick<TaskDeps, 'databases'>) {
  await deps.databases.deleteDatabase(ref, ref.engine);
  return {};
}

export interface DatabaseFailureInput extends FailureInput {
  engine: Engine;
  operationType: OperationType;
  stageStatusBefore: StageStatus;
  target: { roleArn: string; region: string };
}

/**
 * Records why a database operation failed and puts things back as they were: a database that was
 * never created (its failed stack deleted) is forgotten, a failed change leaves it as it was, the
 * stage returns to its previous status, unlocked. Returns what the failure events say.
 */
export async function recordDatabaseFailure(
  input: DatabaseFailureInput,
  deps: Pick<TaskDeps, 'store' | 'databases' | 'stacks'>,
) {
  const ref = { tenantId: input.tenantId, stackId: input.stackId, stageName: input.stageName };
  return failStageOperation(input, deps, async (reason) => {
    const db = await deps.databases.getDatabase(ref, input.engine);
    if (db?.lastOperationId !== input.operationId) return;
    const stack = db.cfnStackName ? await describeStack(input, db.cfnStackName, deps) : undefined;
    const stackGone = !stack || stack.status === 'DELETE_COMPLETE';
    if (db.status === 'CREATING' && stackGone) {
      await deps.databases.deleteDatabase(ref, input.engine);
    } else {
      const status =
        db.status === 'CREATING' ||
        (db.status === 'DELETING' && !stackGone && stack.status.startsWith('DELETE'))
          ? 'FAILED'
          : 'AVAILABLE';
      await deps.databases.updateDatabase(
        ref,
        input.engine,
        { status, lastError: reason },
        { remove: ['pending'] },
      );
    }
  });
}

async function describeStack(
  input: Pick<DatabaseFailureInput, 'tenantId' | 'target'>,
  cfnStackName: string,
  deps: Pick<TaskDeps, 'store' | 'stacks'>,
) {
  return deps.stacks.describe(await targetOf(deps, input.tenantId, input.target), cfnStackName);
}
