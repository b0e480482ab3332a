import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

process.env.TABLE_NAME = 'tinystacks-ci';
const { store, waits, idempotency } = await import('../../../src/cloud/aws/dynamodb');
const { IdempotencyStore } = await import('../../../src/store/idempotency');
const { StackWaitStore } = await import('../../../src/store/stack-waits');
const { Store } = await import('../../../src/store/store');

const db = mockClient(DynamoDBDocumentClient);

beforeEach(() => db.reset());

test('builds the three stores on the table named by TABLE_NAME', async () => {
  // Prepare
  db.on(GetCommand).resolves({});
  db.on(UpdateCommand).resolves({});

  // Act
  await store.getStack('t1', 'stk_1');
  await waits.parkToken('eu-west-1', 'tinystacks-x', 'op_1', 'token');

  // Assess
  expect([store, idempotency, waits].map((s) => s.constructor)).toEqual([
    Store,
    IdempotencyStore,
    StackWaitStore,
  ]);
  expect(store.tableName).toBe('tinystacks-ci');
  expect(db.commandCalls(GetCommand)[0]!.args[0].input.TableName).toBe('tinystacks-ci');
  expect(db.commandCalls(UpdateCommand)[0]!.args[0].input.TableName).toBe('tinystacks-ci');
});

test('drops undefined attributes instead of failing to marshall them', async () => {
  // Prepare: the module's client

  // Act
  const options = (store as unknown as { db: DynamoDBDocumentClient }).db.config.translateConfig;

  // Assess
  expect(options?.marshallOptions?.removeUndefinedValues).toBe(true);
});

test('a missing TABLE_NAME fails at load, naming it', async () => {
  // Prepare
  delete process.env.TABLE_NAME;

  // Act
  const loading = jest.isolateModulesAsync(async () => {
    await import('../../../src/cloud/aws/dynamodb');
  });

  // Assess
  await expect(loading).rejects.toThrow('Missing environment variable TABLE_NAME');
  process.env.TABLE_NAME = 'tinystacks-ci';
});
