import { DomainError } from '../../../src/domain/errors';
import type { Database } from '../../../src/domain/database';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { DatabaseStore } from '../../../src/store/databases';
import { newTenantId, TABLE_NAME } from '../../support/fixtures';

let dynamo: LocalDynamo;
let databases: DatabaseStore;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  databases = new DatabaseStore(dynamo.documentClient, TABLE_NAME);
});
afterAll(async () => {
  await dynamo.close();
});

const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';

function aDatabase(tenantId: string, overrides: Partial<Database> = {}): Database {
  const now = new Date().toISOString();
  return {
    tenantId,
    stackId: STACK_ID,
    stageName: 'dev',
    engine: 'postgres',
    mode: 'managed',
    status: 'CREATING',
    passwordVersion: 1,
    port: 5432,
    databaseName: 'app',
    lastOperationId: 'op_1',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

test('one database per engine per stage: a second is a 409; other engines and stages are fine', async () => {
  // Prepare
  const tenantId = newTenantId();
  await databases.putDatabase(aDatabase(tenantId));

  // Act
  const second = await databases.putDatabase(aDatabase(tenantId)).catch((e: unknown) => e);
  await databases.putDatabase(aDatabase(tenantId, { engine: 'redis' }));
  await databases.putDatabase(aDatabase(tenantId, { stageName: 'prod' }));

  // Assess
  expect(second).toBeInstanceOf(DomainError);
  expect(second).toMatchObject({ status: 409, details: { field: 'engine' } });
  const ref = { tenantId, stackId: STACK_ID, stageName: 'dev' };
  expect((await databases.allDatabases(ref)).map((d) => d.engine)).toEqual(['postgres', 'redis']);
  expect((await databases.databasesOfStack(tenantId, STACK_ID)).length).toBe(3);
  expect(await databases.allDatabases({ ...ref, tenantId: newTenantId() })).toEqual([]);
});

test('a change only applies from the statuses it names; a mismatch is a 409 naming the status', async () => {
  // Prepare
  const tenantId = newTenantId();
  const ref = { tenantId, stackId: STACK_ID, stageName: 'dev' };
  await databases.putDatabase(aDatabase(tenantId, { status: 'DELETING' }));

  // Act
  const error = await databases
    .updateDatabase(ref, 'postgres', { status: 'UPDATING' }, { from: ['AVAILABLE'] })
    .catch((e: unknown) => e);

  // Assess
  expect(error).toMatchObject({ status: 409, details: { status: 'DELETING' } });
  expect((await databases.requireDatabase(ref, 'postgres')).status).toBe('DELETING');
});

test('follow-ups are taken in order, each once, however many deliveries race for it', async () => {
  // Prepare
  const ref = { tenantId: newTenantId(), stackId: STACK_ID, stageName: 'dev' };
  await databases.putFollowUps(ref, [
    { kind: 'database', body: { engine: 'postgres' } },
    { kind: 'bastion', body: { allowedCidrs: ['203.0.113.7/32'] } },
  ]);

  // Act
  const raced = await Promise.all([1, 2, 3, 4, 5].map(() => databases.takeFollowUp(ref)));
  const rest = [await databases.takeFollowUp(ref), await databases.takeFollowUp(ref)];

  // Assess
  const taken = [...raced, ...rest].filter(Boolean).map((f) => f!.kind);
  expect(taken).toEqual(['database', 'bastion']);
  expect(await databases.getFollowUps(ref)).toEqual([]);
});
