import * as z from 'zod/mini';
import {
  addDatabase,
  changeDatabasePassword,
  deleteDatabase,
  promoteDatabase,
  requireDatabaseOf,
  updateDatabase,
  viewDatabaseSecret,
} from '../app/databases';
import type { ApiDeps } from '../app/deps';
import { DATABASE_STATUSES, ENGINES, type Database } from '../domain/database';
import { engine, stageDatabaseOption, updateDatabaseBody } from '../domain/input/database';
import { pageQuery } from '../domain/input/fields';
import { defineRoute } from '../http/route';
import { page, responses, stageParams } from './common';
import { operationAccepted, operationView, pageOf } from './views';

type MutationDeps = Pick<ApiDeps, 'store' | 'workflows' | 'databases'>;

export const databaseParams = z.strictObject({ ...stageParams.shape, engine });

/** What clients see of a database: where it is and which secret holds its password, never the password. */
export const databaseView = (db: Database) => ({
  stackId: db.stackId,
  stageName: db.stageName,
  engine: db.engine,
  mode: db.mode,
  status: db.status,
  instanceClass: db.instanceClass ?? null,
  storageGb: db.storageGb ?? null,
  endpoint: db.host ?? null,
  port: db.port,
  databaseName: db.databaseName,
  secretArn: (db.mode === 'replica' ? db.replicaOf?.writerSecretArn : db.secretArn) || null,
  readReplicaOf: db.replicaOf
    ? {
        stage: db.replicaOf.stageName,
        engine: db.replicaOf.engine,
        region: db.replicaOf.region || null,
        writerEndpoint: db.replicaOf.writerHost || null,
      }
    : null,
  promotedAt: db.promotedAt ?? null,
  /** RDS allows the next storage change six hours after this one. */
  storageChangedAt: db.storageChangedAt ?? null,
  cfnStackName: db.cfnStackName ?? null,
  lastOperationId: db.lastOperationId,
  lastError: db.lastError ?? null,
  createdAt: db.createdAt,
  updatedAt: db.updatedAt,
});

const nullableString = z.nullable(z.string());

export const databaseSchema = z.object({
  stackId: z.string(),
  stageName: z.string(),
  engine: z.enum(ENGINES),
  mode: z.enum(['managed', 'existing', 'replica']),
  status: z.enum(DATABASE_STATUSES),
  instanceClass: nullableString,
  storageGb: z.nullable(z.number()),
  endpoint: nullableString,
  port: z.number(),
  databaseName: z.string(),
  secretArn: nullableString,
  readReplicaOf: z.nullable(
    z.object({
      stage: z.string(),
      engine: z.string(),
      region: nullableString,
      writerEndpoint: nullableString,
    }),
  ),
  promotedAt: nullableString,
  storageChangedAt: nullableString,
  cfnStackName: nullableString,
  lastOperationId: z.string(),
  lastError: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Nothing to set: an empty JSON object, or no body at all. */
const noSettings = z.strictObject({});

const accepted = (description: string) =>
  responses({ 202: { description, schema: operationAccepted } }, [400, 401, 404, 409, 422]);

export const addDatabaseRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases',
  operationId: 'addDatabase',
  summary:
    'Add a Postgres, MySQL or Redis database to a stage (new, existing, or a read replica of another stage’s); the service is rebuilt with its variables',
  tag: 'Databases',
  auth: 'jwt',
  idempotent: true,
  params: stageParams,
  body: stageDatabaseOption,
  responses: accepted('The operation that adds the database'),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName } = req.params;
    const operation = await addDatabase(deps, req.caller, stackId, stageName, req.body);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const listDatabasesRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases',
  operationId: 'listDatabases',
  summary: 'List a stage’s databases',
  tag: 'Databases',
  auth: 'jwt',
  params: stageParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of databases', schema: pageOf(databaseSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'databases'>) {
    const { stackId, stageName } = req.params;
    await deps.store.requireStage(req.caller.tenantId, stackId, stageName);
    const result = await deps.databases.listDatabases(
      { tenantId: req.caller.tenantId, stackId, stageName },
      req.query,
    );
    return { statusCode: 200, body: page(result.items.map(databaseView), result.nextToken) };
  },
});

export const getDatabaseRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}',
  operationId: 'getDatabase',
  summary: 'Get a database: status, endpoint, port, database name and the ARN of its secret',
  tag: 'Databases',
  auth: 'jwt',
  params: databaseParams,
  responses: responses({ 200: { description: 'The database', schema: databaseSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'databases'>) {
    const { stackId, stageName, engine: which } = req.params;
    const db = await requireDatabaseOf(deps, req.caller.tenantId, stackId, stageName, which);
    return { statusCode: 200, body: databaseView(db) };
  },
});

export const updateDatabaseRoute = defineRoute({
  method: 'PATCH',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}',
  operationId: 'updateDatabase',
  summary: 'Change a database’s instance class or storage (storage only grows; Redis has none)',
  tag: 'Databases',
  auth: 'jwt',
  idempotent: true,
  params: databaseParams,
  body: updateDatabaseBody,
  responses: accepted('The operation that changes the database'),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName, engine: which } = req.params;
    const operation = await updateDatabase(deps, req.caller, stackId, stageName, which, req.body);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const deleteDatabaseRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}',
  operationId: 'deleteDatabase',
  summary: 'Delete a database (RDS keeps a final snapshot); the service is rebuilt without it',
  tag: 'Databases',
  auth: 'jwt',
  idempotent: true,
  params: databaseParams,
  responses: accepted('The operation that deletes the database'),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName, engine: which } = req.params;
    const operation = await deleteDatabase(deps, req.caller, stackId, stageName, which);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

const secretSchema = z.object({
  engine: z.enum(ENGINES),
  username: nullableString,
  password: z.string(),
  host: nullableString,
  port: z.number(),
  database: z.string(),
  secretArn: z.string(),
});

export const getDatabaseSecretRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/secret',
  operationId: 'getDatabaseSecret',
  summary:
    '“View Secret”: the username, password, host, port and database, read from Secrets Manager; audited',
  tag: 'Databases',
  auth: 'jwt',
  params: databaseParams,
  responses: responses(
    { 200: { description: 'The credentials (never cached)', schema: secretSchema } },
    [400, 401, 404, 409],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'databases' | 'secrets' | 'bus'>) {
    const { stackId, stageName, engine: which } = req.params;
    const secret = await viewDatabaseSecret(deps, req.caller, stackId, stageName, which);
    return { statusCode: 200, body: secret, headers: { 'cache-control': 'no-store' } };
  },
});

export const changeDatabasePasswordRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/password',
  operationId: 'changeDatabasePassword',
  summary:
    '“Change Password”: a new generated password, set on the database and in its secret; the service is redeployed',
  tag: 'Databases',
  auth: 'jwt',
  idempotent: true,
  params: databaseParams,
  body: noSettings,
  responses: accepted('The operation that changes the password'),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName, engine: which } = req.params;
    const operation = await changeDatabasePassword(deps, req.caller, stackId, stageName, which);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const promoteDatabaseRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/promote',
  operationId: 'promoteDatabase',
  summary:
    'Promote a read replica to a standalone primary; the stage’s variables follow, the source is untouched',
  tag: 'Databases',
  auth: 'jwt',
  idempotent: true,
  params: databaseParams,
  body: noSettings,
  responses: accepted('The operation that promotes the replica'),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName, engine: which } = req.params;
    const operation = await promoteDatabase(deps, req.caller, stackId, stageName, which);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});
