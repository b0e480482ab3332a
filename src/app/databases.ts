import type { Caller } from '../domain/caller';
import { applyDatabaseUpdate, assertInstanceClassFits, databaseSizes } from '../domain/database-sizes';
import {
  assertReplicable,
  databaseStackName,
  ENGINE_SPECS,
  type Database,
  type Engine,
} from '../domain/database';
import type { StageDatabaseOption, UpdateDatabaseBody } from '../domain/input/database';
import { badRequest, conflict, notFound } from '../domain/errors';
import { newId } from '../domain/ids';
import { assertRegionServes } from '../domain/region-services';
import type { OperationType } from '../domain/operation';
import type { Stack } from '../domain/stack';
import type { Stage } from '../domain/stage';
import type { StageOperationInput } from '../domain/workflow-input';
import { log } from '../log';
import type { ApiDeps } from './deps';
import { assertStageActive, launchStageOperation, newStageOperation } from './stage-operations';
import { targetOf } from './accounts';

type Deps = Pick<ApiDeps, 'store' | 'workflows' | 'databases'>;

const stageKey = (stage: Pick<Stage, 'tenantId' | 'stackId' | 'name'>) => ({
  tenantId: stage.tenantId,
  stackId: stage.stackId,
  stageName: stage.name,
});

/**
 * Checks a `database` option before anything is written, so that a stage creation with a bad one
 * (a Redis replica, a source that is not there) is refused with a 400 naming the field.
 */
export async function validateDatabaseOption(
  deps: Pick<ApiDeps, 'store' | 'databases'>,
  tenantId: string,
  stackId: string,
  stageName: string,
  option: StageDatabaseOption,
  /** The stage's region: where the database (or replica) goes. */
  region: string,
  field = 'database',
): Promise<void> {
  if ('readReplicaOf' in option) {
    const source = option.readReplicaOf;
    assertReplicable(source.engine, `${field}.readReplicaOf.engine`);
    assertRegionServes(region, [source.engine]);
    const replicaClass = option.instanceClass ?? ENGINE_SPECS[source.engine].defaultInstanceClass;
    assertInstanceClassFits(source.engine, replicaClass, region, 'instanceClass');
    if (source.stage === stageName) {
      throw badRequest(
        `${field}.readReplicaOf.stage`,
        `${field}.readReplicaOf.stage: a stage cannot replicate itself`,
      );
    }
    const sourceStage = await deps.store.getStage(tenantId, stackId, source.stage);
    if (!sourceStage) {
      throw badRequest(
        `${field}.readReplicaOf.stage`,
        `${field}.readReplicaOf.stage: no stage ${source.stage} in this stack`,
      );
    }
    const db = await deps.databases.getDatabase(
      { tenantId, stackId, stageName: source.stage },
      source.engine,
    );
    if (!db || db.mode !== 'managed' || db.status !== 'AVAILABLE') {
      throw badRequest(
        `${field}.readReplicaOf.engine`,
        `${field}.readReplicaOf.engine: stage ${source.stage} has no available ${source.engine} database built by TinyStacks to replicate`,
      );
    }
    return;
  }
  if (!option.existing) {
    assertRegionServes(region, [option.engine]);
    databaseSizes(option, region);
  } else if (option.instanceClass !== undefined || option.storageGb !== undefined) {
    throw badRequest(
      `${field}.existing`,
      `${field}.existing: an existing database is not sized by TinyStacks`,
    );
  }
}

/**
 * Adds a database (new, existing or a read replica) to an ACTIVE stage: takes the stage's lock,
 * records the database (one per engine: a second is a 409), starts the workflow.
 */
export async function addDatabase(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  body: StageDatabaseOption,
) {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  await validateDatabaseOption(deps, requester.tenantId, stackId, stageName, body, stage.region, 'body');
  assertStageActive(stage);
  const now = new Date().toISOString();
  const isReplica = 'readReplicaOf' in body;
  const engine: Engine = isReplica ? body.readReplicaOf.engine : body.engine;
  const spec = ENGINE_SPECS[engine];
  const type: OperationType = isReplica ? 'CREATE_READ_REPLICA' : 'ADD_DATABASE';
  const operation = newStageOperation(requester, stackId, stageName, type, body);
  const cfnStackName = databaseStackName(stage.cfnStackName, engine);

  let database: Database;
  if (isReplica) {
    database = {
      tenantId: requester.tenantId,
      stackId,
      stageName,
      engine,
      mode: 'replica',
      status: 'CREATING',
      instanceClass: body.instanceClass ?? spec.defaultInstanceClass,
      passwordVersion: 0,
      cfnStackName,
      port: spec.port,
      databaseName: spec.databaseName,
      // Filled in from the source by the workflow (RecordReplicaSource).
      replicaOf: {
        stageName: body.readReplicaOf.stage,
        engine: body.readReplicaOf.engine as 'postgres' | 'mysql',
        region: '',
        sourceArn: '',
        writerHost: '',
        writerPort: spec.port,
        writerSecretArn: '',
      },
      lastOperationId: operation.operationId,
      createdAt: now,
      updatedAt: now,
    };
  } else if (body.existing) {
    database = {
      tenantId: requester.tenantId,
      stackId,
      stageName,
      engine,
      mode: 'existing',
      status: 'CREATING',
      passwordVersion: 0,
      host: body.existing.host,
      port: body.existing.port,
      databaseName: body.existing.database,
      secretArn: body.existing.secretArn,
      lastOperationId: operation.operationId,
      createdAt: now,
      updatedAt: now,
    };
  } else {
    database = {
      tenantId: requester.tenantId,
      stackId,
      stageName,
      engine,
      mode: 'managed',
      status: 'CREATING',
      ...databaseSizes(body, stage.region),
      passwordVersion: 1,
      cfnStackName,
      port: spec.port,
      databaseName: spec.databaseName,
      lastOperationId: operation.operationId,
      createdAt: now,
      updatedAt: now,
    };
  }

  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: {
      action: 'UPDATE',
      stageStatusBefore: stage.status,
      engine,
      database: { action: database.mode === 'existing' ? 'NONE' : 'CREATE', cfnStackName },
    },
    record: {
      write: () => deps.databases.putDatabase(database),
      undo: () => deps.databases.deleteDatabase(stageKey(stage), engine),
    },
  });
}

interface ChangeSpec {
  type: OperationType;
  /** Record changes made with the lock: the workflow renders from them. */
  fields: Record<string, unknown>;
  action: NonNullable<StageOperationInput['database']>['action'];
  status: Database['status'];
}

/** Every change of an existing database: lock the stage, mark the database, start the workflow. */
async function changeDatabase(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
  input: object,
  plan: (db: Database, stack: Stack, stage: Stage) => ChangeSpec,
) {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  const db = await deps.databases.requireDatabase(stageKey(stage), engine);
  const change = plan(db, stack, stage);
  assertStageActive(stage, { orFailed: change.type === 'DELETE_DATABASE' });
  const operation = newStageOperation(requester, stackId, stageName, change.type, input);
  return launchStageOperation(deps, {
    stack,
    stage,
    operation,
    input: {
      action: 'UPDATE',
      stageStatusBefore: stage.status,
      engine,
      database: {
        action: change.action,
        cfnStackName: db.cfnStackName ?? databaseStackName(stage.cfnStackName, engine),
      },
    },
    record: {
      write: () =>
        deps.databases.updateDatabase(
          stageKey(stage),
          engine,
          { ...change.fields, status: change.status, lastOperationId: operation.operationId },
          { from: change.type === 'DELETE_DATABASE' ? ['AVAILABLE', 'FAILED'] : ['AVAILABLE'] },
        ),
      undo: () =>
        deps.databases.updateDatabase(
          stageKey(stage),
          engine,
          { status: db.status },
          { remove: ['pending'] },
        ),
    },
  });
}

/** PATCH: a new instance class, more storage. */
export function updateDatabase(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
  patch: UpdateDatabaseBody,
) {
  return changeDatabase(deps, requester, stackId, stageName, engine, patch, (db, _stack, stage) => {
    const sizes = applyDatabaseUpdate(db, patch, stage.region);
    if (sizes.instanceClass === db.instanceClass && sizes.storageGb === db.storageGb) {
      throw badRequest(
        patch.instanceClass !== undefined ? 'instanceClass' : 'storageGb',
        'the database already has these settings: nothing to change',
      );
    }
    return { type: 'UPDATE_DATABASE', fields: { pending: sizes }, action: 'UPDATE', status: 'UPDATING' };
  });
}

/**
 * "Change Password": a new secret version with a new generated password, which the instance takes
 * (see src/templates/database.ts), then the service is redeployed so its tasks read it.
 */
export function changeDatabasePassword(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
) {
  return changeDatabase(deps, requester, stackId, stageName, engine, {}, (db) => {
    if (db.mode === 'existing')
      throw conflict(`the ${engine} database is an existing one: change its password where it runs`);
    if (db.mode === 'replica') {
      throw conflict(
        `a read replica has its source's password: change it on stage ${db.replicaOf?.stageName}`,
      );
    }
    return {
      type: 'CHANGE_DATABASE_PASSWORD',
      fields: { passwordVersion: db.passwordVersion + 1 },
      action: 'UPDATE',
      status: 'UPDATING',
    };
  });
}

/** Promotes a read replica to a standalone primary with a secret of its own; its source is untouched. */
export function promoteDatabase(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
) {
  return changeDatabase(deps, requester, stackId, stageName, engine, {}, (db) => {
    if (db.mode !== 'replica')
      throw conflict(`the ${engine} database of stage ${stageName} is not a read replica`);
    return { type: 'PROMOTE_DATABASE', fields: { passwordVersion: 1 }, action: 'UPDATE', status: 'UPDATING' };
  });
}

/** DELETE: the service is rebuilt without it, then its stack goes (RDS keeps a final snapshot). */
export async function deleteDatabase(
  deps: Deps,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
) {
  const replicas = (await deps.databases.databasesOfStack(requester.tenantId, stackId)).filter(
    (db) => db.mode === 'replica' && db.replicaOf?.stageName === stageName && db.replicaOf.engine === engine,
  );
  if (replicas.length > 0) {
    throw conflict(
      `the ${engine} database of stage ${stageName} has read replicas (stage ${replicas.map((r) => r.stageName).join(', ')}): promote or delete them first`,
    );
  }
  return changeDatabase(deps, requester, stackId, stageName, engine, {}, (db) => ({
    type: 'DELETE_DATABASE',
    fields: {},
    action: db.mode === 'existing' ? 'NONE' : 'DELETE',
    status: 'DELETING',
  }));
}

export interface DatabaseSecret {
  engine: Engine;
  username: string | null;
  password: string;
  host: string | null;
  port: number;
  database: string;
  secretArn: string;
}

/**
 * "View Secret": reads the secret in the customer's account and leaves an audit record and an
 * event naming who read which database's secret, never the secret itself.
 */
export async function viewDatabaseSecret(
  deps: Pick<ApiDeps, 'store' | 'databases' | 'secrets' | 'bus'>,
  requester: Caller,
  stackId: string,
  stageName: string,
  engine: Engine,
): Promise<DatabaseSecret> {
  const stack = await deps.store.requireStack(requester.tenantId, stackId);
  const stage = await deps.store.requireStage(requester.tenantId, stackId, stageName);
  const db = await deps.databases.requireDatabase(stageKey(stage), engine);
  // A replica's service uses its writer's secret (PG_CREDENTIALS_SECRET): that is the one shown.
  const secretArn = db.mode === 'replica' ? db.replicaOf?.writerSecretArn : db.secretArn;
  if (!secretArn || (db.status !== 'AVAILABLE' && db.status !== 'UPDATING')) {
    throw conflict(
      `the ${engine} database of stage ${stageName} is ${db.status}: it has no secret to show yet`,
    );
  }
  const target = await targetOf(deps, stack.tenantId, {
    roleArn: stack.roleArn,
    region: regionOfArn(secretArn) ?? stage.region,
  });
  const credentials = await deps.secrets.readDatabaseSecret(target, secretArn);
  await audit(deps, requester, stage, 'VIEW_DATABASE_SECRET', engine);
  return {
    engine,
    username: credentials.username ?? ENGINE_SPECS[engine].username ?? null,
    password: credentials.password,
    host: db.host ?? credentials.host ?? null,
    port: db.port,
    database: db.databaseName,
    secretArn,
  };
}

/** An audit record and a `Credentials Accessed` event: who, what, when. Never the value. */
export async function audit(
  deps: Pick<ApiDeps, 'databases' | 'bus'>,
  requester: Caller,
  stage: Pick<Stage, 'stackId' | 'name'>,
  action: 'VIEW_DATABASE_SECRET' | 'DOWNLOAD_BASTION_KEY',
  subject: string,
): Promise<void> {
  const record = {
    tenantId: requester.tenantId,
    stackId: stage.stackId,
    stageName: stage.name,
    auditId: newId('aud'),
    userId: requester.userId,
    action,
    subject,
    at: new Date().toISOString(),
  };
  await deps.databases.putAudit(record);
  log.info('credentials accessed', { auditId: record.auditId, action, stageName: stage.name, subject });
  await deps.bus.publish([{ detailType: 'Credentials Accessed', detail: { ...record } }]);
}

export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

export async function requireDatabaseOf(
  deps: Pick<ApiDeps, 'store' | 'databases'>,
  tenantId: string,
  stackId: string,
  stageName: string,
  engine: Engine,
): Promise<Database> {
  await deps.store.requireStage(tenantId, stackId, stageName);
  const db = await deps.databases.getDatabase({ tenantId, stackId, stageName }, engine);
  if (!db) throw notFound(`${engine} database of stage ${stageName}`);
  return db;
}
