import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Bastion } from '../domain/bastion';
import type { Database, DatabaseStatus, Engine } from '../domain/database';
import { conflict, notFound } from '../domain/errors';
import { keys } from './keys';
import type { Page, PageRequest } from './page';
import { isConditionFailure, queryPrefixPage, record } from './items';

export interface StageKey {
  tenantId: string;
  stackId: string;
  stageName: string;
}

/** Everything of a stack lives in the stack's partition, next to its stages (src/store/keys.ts). */
const partition = (tenantId: string, stackId: string) => keys.stage(tenantId, stackId, '').pk;

/**
 * Items of this module, all in the stack's partition `T#<tenant>#S#<stackId>`:
 * - `DB#<stage>#<engine>`: a database (one per engine per stage, by the key itself);
 * - `BASTION#<stage>`: a stage's bastion host;
 * - `NEXT#<stage>`: operations asked for at stage creation, started once the stage is ACTIVE;
 * - `AUDIT#<id>`: who read a secret or downloaded a private key, and when (never the value).
 */
export const databaseKeys = {
  database: (tenantId: string, stackId: string, stageName: string, engine: Engine) => ({
    pk: partition(tenantId, stackId),
    sk: `DB#${stageName}#${engine}`,
  }),
  bastion: (tenantId: string, stackId: string, stageName: string) => ({
    pk: partition(tenantId, stackId),
    sk: `BASTION#${stageName}`,
  }),
  followUps: (tenantId: string, stackId: string, stageName: string) => ({
    pk: partition(tenantId, stackId),
    sk: `NEXT#${stageName}`,
  }),
  audit: (tenantId: string, stackId: string, auditId: string) => ({
    pk: partition(tenantId, stackId),
    sk: `AUDIT#${auditId}`,
  }),
};

/** An operation asked for with the stage (`database`, `bastion` on POST .../stages), started after it. */
export interface FollowUp {
  kind: 'database' | 'replica' | 'bastion';
  body: Record<string, unknown>;
  /** Who asked (the stage's creator): the follow-up operation is theirs. */
  userId?: string;
}

export interface AuditRecord {
  tenantId: string;
  stackId: string;
  stageName: string;
  auditId: string;
  userId: string;
  action: 'VIEW_DATABASE_SECRET' | 'DOWNLOAD_BASTION_KEY';
  /** What was read: the engine, or the bastion. Never the value. */
  subject: string;
  at: string;
}

type Fields = Record<string, unknown>;

function setExpression(fields: Fields, remove: string[] = []) {
  const names = Object.keys(fields);
  return {
    UpdateExpression:
      (names.length ? `SET ${names.map((n) => `#f_${n} = :f_${n}`).join(', ')}` : '') +
      (remove.length ? ` REMOVE ${remove.map((n) => `#r_${n}`).join(', ')}` : ''),
    ExpressionAttributeNames: {
      ...Object.fromEntries(names.map((n) => [`#f_${n}`, n])),
      ...Object.fromEntries(remove.map((n) => [`#r_${n}`, n])),
    },
    ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:f_${n}`, fields[n]])),
  };
}

/** Databases, bastions, follow-up operations and audit records: single-item conditional writes. */
export class DatabaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  // ---- databases -----------------------------------------------------------------------------

  /** One database per engine per stage: the key enforces it, a second one is a 409. */
  async putDatabase(database: Database): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...databaseKeys.database(
              database.tenantId,
              database.stackId,
              database.stageName,
              database.engine,
            ),
            kind: 'database',
            ...database,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw conflict(
        `stage ${database.stageName} already has a ${database.engine} database: one per engine`,
        {
          field: 'engine',
        },
      );
    }
  }

  async getDatabase(ref: StageKey, engine: Engine): Promise<Database | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: databaseKeys.database(ref.tenantId, ref.stackId, ref.stageName, engine),
      }),
    );
    return record<Database>(out.Item);
  }

  async requireDatabase(ref: StageKey, engine: Engine): Promise<Database> {
    const found = await this.getDatabase(ref, engine);
    if (!found) throw notFound(`${engine} database of stage ${ref.stageName}`);
    return found;
  }

  async listDatabases(ref: StageKey, page: PageRequest = {}): Promise<Page<Database>> {
    const pk = partition(ref.tenantId, ref.stackId);
    return queryPrefixPage<Database>(this.db, this.tableName, { pk, prefix: `DB#${ref.stageName}#` }, page);
  }

  /** Every database of a stage (three at most). */
  async allDatabases(ref: StageKey): Promise<Database[]> {
    return (await this.listDatabases(ref, { limit: 10 })).items;
  }

  /** Every database of a stack: to find the replicas of a source. */
  async databasesOfStack(tenantId: string, stackId: string): Promise<Database[]> {
    const items: Database[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': partition(tenantId, stackId), ':prefix': 'DB#' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => record<Database>(i)!));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Changes a database record, only while it is in one of `from` (when given): a database being
   * deleted cannot be resized, a busy one cannot be re-keyed. A mismatch is a 409.
   */
  async updateDatabase(
    ref: StageKey,
    engine: Engine,
    fields: Fields,
    options: { from?: DatabaseStatus[]; remove?: string[] } = {},
  ): Promise<void> {
    const expression = setExpression({ ...fields, updatedAt: new Date().toISOString() }, options.remove);
    const from = options.from ?? [];
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: databaseKeys.database(ref.tenantId, ref.stackId, ref.stageName, engine),
          ...expression,
          ConditionExpression:
            'attribute_exists(pk)' +
            (from.length ? ` AND #c_status IN (${from.map((_, i) => `:c_${i}`).join(', ')})` : ''),
          ExpressionAttributeNames: {
            ...expression.ExpressionAttributeNames,
            ...(from.length ? { '#c_status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ...expression.ExpressionAttributeValues,
            ...Object.fromEntries(from.map((status, i) => [`:c_${i}`, status])),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.requireDatabase(ref, engine);
      throw conflict(`the ${engine} database of stage ${ref.stageName} is ${current.status}`, {
        status: current.status,
      });
    }
  }

  async deleteDatabase(ref: StageKey, engine: Engine): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: databaseKeys.database(ref.tenantId, ref.stackId, ref.stageName, engine),
      }),
    );
  }

  // ---- bastions ------------------------------------------------------------------------------

  async putBastion(bastion: Bastion): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...databaseKeys.bastion(bastion.tenantId, bastion.stackId, bastion.stageName),
            kind: 'bastion',
            ...bastion,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw conflict(`stage ${bastion.stageName} already has a bastion host`);
    }
  }

  async getBastion(ref: StageKey): Promise<Bastion | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: databaseKeys.bastion(ref.tenantId, ref.stackId, ref.stageName),
      }),
    );
    return record<Bastion>(out.Item);
  }

  async requireBastion(ref: StageKey): Promise<Bastion> {
    const found = await this.getBastion(ref);
    if (!found) throw notFound(`bastion of stage ${ref.stageName}`);
    return found;
  }

  async updateBastion(ref: StageKey, fields: Fields, remove: string[] = []): Promise<void> {
    const expression = setExpression({ ...fields, updatedAt: new Date().toISOString() }, remove);
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: databaseKeys.bastion(ref.tenantId, ref.stackId, ref.stageName),
        ...expression,
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async deleteBastion(ref: StageKey): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: databaseKeys.bastion(ref.tenantId, ref.stackId, ref.stageName),
      }),
    );
  }

  // ---- follow-up operations ------------------------------------------------------------------

  /** Replaces what a stage of this name asked for before (an empty list leaves nothing behind). */
  async putFollowUps(ref: StageKey, followUps: FollowUp[]): Promise<void> {
    if (followUps.length === 0) return this.dropFollowUps(ref);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...databaseKeys.followUps(ref.tenantId, ref.stackId, ref.stageName),
          kind: 'followUps',
          followUps,
          taken: 0,
        },
      }),
    );
  }

  async getFollowUps(ref: StageKey): Promise<FollowUp[]> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: databaseKeys.followUps(ref.tenantId, ref.stackId, ref.stageName),
      }),
    );
    const taken = (out.Item?.taken as number | undefined) ?? 0;
    return ((out.Item?.followUps as FollowUp[] | undefined) ?? []).slice(taken);
  }

  /**
   * Takes the next follow-up, once: the write only succeeds while `taken` is the count read, so
   * two deliveries of the same event cannot both take it.
   */
  async takeFollowUp(ref: StageKey): Promise<FollowUp | undefined> {
    const key = databaseKeys.followUps(ref.tenantId, ref.stackId, ref.stageName);
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    const all = (out.Item?.followUps as FollowUp[] | undefined) ?? [];
    const taken = (out.Item?.taken as number | undefined) ?? 0;
    const next = all[taken];
    if (!next) return undefined;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET taken = :next',
          ConditionExpression: 'taken = :taken',
          ExpressionAttributeValues: { ':next': taken + 1, ':taken': taken },
        }),
      );
      return next;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async dropFollowUps(ref: StageKey): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: databaseKeys.followUps(ref.tenantId, ref.stackId, ref.stageName),
      }),
    );
  }

  // ---- audit ---------------------------------------------------------------------------------

  async putAudit(audit: AuditRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...databaseKeys.audit(audit.tenantId, audit.stackId, audit.auditId),
          kind: 'audit',
          ...audit,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
