import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../../src/domain/errors';
import { newId } from '../../../src/domain/ids';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { keys } from '../../../src/store/keys';
import { Store } from '../../../src/store/store';
import { aStack, aStage, anOperation, newTenantId, TABLE_NAME } from '../../support/fixtures';

let dynamo: LocalDynamo;
let store: Store;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  store = new Store(dynamo.documentClient, TABLE_NAME);
});

afterAll(async () => {
  await dynamo.close();
});

/** The DomainError a call rejects with (fails the test if it resolves or throws something else). */
async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

/** A stack with one stage, counted as createStage counts it, the stage locked by its create operation. */
async function stackWithStage(stageName = 'dev') {
  const tenantId = newTenantId();
  const stack = aStack({ tenantId });
  await store.putStack(stack);
  const stage = aStage({ tenantId, stackId: stack.stackId, name: stageName });
  await store.adjustStageCount(tenantId, stack.stackId, 1);
  await store.createStage(stage);
  return { tenantId, stack, stage };
}

const encode = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('stages', () => {
  test('creating a stage whose name is taken is a 409 on the field name', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage('dev');
    const again = aStage({ tenantId, stackId: stack.stackId, name: 'dev' });

    // Act
    const error = await domainErrorOf(store.createStage(again));

    // Assess
    expect(error).toMatchObject({
      status: 409,
      code: 'Conflict',
      details: { field: 'name', stageName: 'dev' },
    });
    expect((await store.requireStage(tenantId, stack.stackId, 'dev')).lastOperationId).toBe(
      stage.lastOperationId,
    );
  });

  test('locking a locked stage is a 409 whose details carry the operation holding it', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    const holder = stage.lock!.operationId;

    // Act
    const error = await domainErrorOf(store.lockStage(stage, newId('op'), 'UPDATING'));

    // Assess
    expect(error).toMatchObject({ status: 409, details: { operationId: holder } });
    expect(error.message).toContain(holder);
    const after = await store.requireStage(tenantId, stack.stackId, stage.name);
    expect([after.status, after.lock?.operationId]).toEqual(['CREATING', holder]);
  });

  test('a free stage locks for one operation, with its new settings pending and its status', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    await store.releaseStageLock(stage, stage.lock!.operationId, 'ACTIVE');
    const operationId = newId('op');
    const settings = { requireApproval: true, loadBalancer: true, port: 3000, environment: {}, origins: [] };

    // Act
    await store.lockStage(stage, operationId, 'UPDATING', settings);

    // Assess: the stage's settings are still what is deployed
    const after = await store.requireStage(tenantId, stack.stackId, stage.name);
    expect(after).toMatchObject({
      status: 'UPDATING',
      lastOperationId: operationId,
      lock: { operationId },
      port: stage.port,
      pendingChange: { operationId, settings },
    });
  });

  test('a deployed change becomes the settings; a failed one is kept apart with its reason', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    await store.releaseStageLock(stage, stage.lock!.operationId, 'ACTIVE');
    const deployed = {
      requireApproval: stage.requireApproval,
      loadBalancer: stage.loadBalancer,
      port: 8080,
      environment: stage.environment,
      origins: stage.origins,
    };
    const first = newId('op');
    await store.lockStage(stage, first, 'UPDATING', deployed);

    // Act: the first change deploys, the second fails
    await store.setStageOutputs(stage, first, { Url: 'x' }, [], { settings: deployed });
    const second = newId('op');
    await store.lockStage(stage, second, 'UPDATING', { ...deployed, port: 9000, environment: { A: 'b' } });
    await store.failPendingChange(stage, second, 'TaskDefinition failed');
    await store.releaseStageLock(stage, second, 'ACTIVE', 'TaskDefinition failed');

    // Assess
    const after = await store.requireStage(tenantId, stack.stackId, stage.name);
    expect(after).toMatchObject({ status: 'ACTIVE', port: 8080, environment: stage.environment });
    expect(after.pendingChange).toBeUndefined();
    expect(after.failedChange).toEqual({
      port: 9000,
      environment: { A: 'b' },
      operationId: second,
      reason: 'TaskDefinition failed',
      failedAt: expect.any(String),
    });
  });

  test('locking a stage that does not exist is a 404', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stage = { tenantId, stackId: newId('stk'), name: 'ghost' };

    // Act
    const error = await domainErrorOf(store.lockStage(stage, newId('op'), 'DELETING'));

    // Assess
    expect(error.status).toBe(404);
    expect(await store.getStage(tenantId, stage.stackId, 'ghost')).toBeUndefined();
  });

  test('releasing a lock one does not hold changes nothing', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    const before = await store.requireStage(tenantId, stack.stackId, stage.name);

    // Act
    await store.releaseStageLock(stage, newId('op'), 'FAILED', 'late retry of an old operation');

    // Assess
    expect(await store.requireStage(tenantId, stack.stackId, stage.name)).toEqual(before);
  });

  test('the holder releases its lock, with the status and error it gives', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();

    // Act
    await store.releaseStageLock(stage, stage.lock!.operationId, 'FAILED', 'CREATE_FAILED: quota exceeded');

    // Assess
    const after = await store.requireStage(tenantId, stack.stackId, stage.name);
    expect(after.lock).toBeUndefined();
    expect([after.status, after.lastError]).toEqual(['FAILED', 'CREATE_FAILED: quota exceeded']);
  });

  test('removing a stage twice takes it off the stack’s count once', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    const other = aStage({ tenantId, stackId: stack.stackId, name: 'prod' });
    await store.adjustStageCount(tenantId, stack.stackId, 1);
    await store.createStage(other);
    const operationId = stage.lock!.operationId;

    // Act
    await store.removeStage(stage, operationId);
    await store.removeStage(stage, operationId);

    // Assess
    expect((await store.requireStack(tenantId, stack.stackId)).stageCount).toBe(1);
    expect(await store.getStage(tenantId, stack.stackId, stage.name)).toBeUndefined();
  });

  test('removing a stage locked by another operation changes nothing', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();

    // Act
    await store.removeStage(stage, newId('op'));

    // Assess
    expect(await store.getStage(tenantId, stack.stackId, stage.name)).toBeDefined();
    expect((await store.requireStack(tenantId, stack.stackId)).stageCount).toBe(1);
  });

  test('records leave the store without their key attributes', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();

    // Act
    const read = await store.requireStage(tenantId, stack.stackId, stage.name);

    // Assess
    expect(read).toEqual(stage);
  });
});

describe('stacks', () => {
  test('a stack that still has stages cannot be taken for its deletion, and stays as it was', async () => {
    // Prepare
    const { tenantId, stack } = await stackWithStage();

    // Act
    const refused = await store.lockStackForDeletion(tenantId, stack.stackId, 'op_delete');

    // Assess
    expect(refused).toMatchObject({ stackId: stack.stackId, stageCount: 1 });
    expect((await store.getStack(tenantId, stack.stackId))?.status).toBeUndefined();
  });

  test('a stack without stages is taken once: DELETING, held by its operation; a second taker is refused', async () => {
    // Prepare
    const { tenantId, stack, stage } = await stackWithStage();
    await store.removeStage(stage, stage.lock!.operationId);

    // Act
    const first = await store.lockStackForDeletion(tenantId, stack.stackId, 'op_one');
    const second = await store.lockStackForDeletion(tenantId, stack.stackId, 'op_two');

    // Assess
    expect(first).toBeUndefined();
    expect(second).toMatchObject({ status: 'DELETING', lock: { operationId: 'op_one' } });
  });

  test('a stack being deleted takes no new stage (409 naming the operation); a failed deletion can be retried', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    await store.lockStackForDeletion(tenantId, stack.stackId, 'op_one');

    // Act
    const whileDeleting = await domainErrorOf(store.adjustStageCount(tenantId, stack.stackId, 1));
    await store.releaseStackLock(tenantId, stack.stackId, 'op_other', 'ACTIVE');
    await store.releaseStackLock(tenantId, stack.stackId, 'op_one', 'DELETE_FAILED', 'bucket not empty');
    const afterFailure = await domainErrorOf(store.adjustStageCount(tenantId, stack.stackId, 1));
    const retried = await store.lockStackForDeletion(tenantId, stack.stackId, 'op_two');

    // Assess
    expect(whileDeleting).toMatchObject({ status: 409, details: { operationId: 'op_one' } });
    expect(afterFailure).toMatchObject({ status: 409, message: expect.stringContaining('bucket not empty') });
    expect(retried).toBeUndefined();
    expect(await store.getStack(tenantId, stack.stackId)).toMatchObject({
      status: 'DELETING',
      lock: { operationId: 'op_two' },
    });
    expect((await store.getStack(tenantId, stack.stackId))?.lastError).toBeUndefined();
  });

  test('a deleted stack is removed only by the operation holding it; again, nothing happens', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stack = aStack({ tenantId });
    await store.putStack(stack);
    await store.lockStackForDeletion(tenantId, stack.stackId, 'op_one');

    // Act
    await store.removeStack(tenantId, stack.stackId, 'op_other');
    const kept = await store.getStack(tenantId, stack.stackId);
    await store.removeStack(tenantId, stack.stackId, 'op_one');
    await store.removeStack(tenantId, stack.stackId, 'op_one');

    // Assess
    expect(kept).toBeDefined();
    expect(await store.getStack(tenantId, stack.stackId)).toBeUndefined();
  });

  test('a stack that does not exist, or another tenant’s, is not found', async () => {
    // Prepare
    const owner = newTenantId();
    const stack = aStack({ tenantId: owner });
    await store.putStack(stack);
    const intruder = newTenantId();

    // Act
    const read = await store.getStack(intruder, stack.stackId);
    const error = await domainErrorOf(store.lockStackForDeletion(intruder, stack.stackId, 'op_x'));
    const missing = await domainErrorOf(store.lockStackForDeletion(owner, newId('stk'), 'op_y'));

    // Assess
    expect(read).toBeUndefined();
    expect(error.status).toBe(404);
    expect(missing).toMatchObject({ status: 404, code: 'NotFound' });
    expect(await store.getStack(owner, stack.stackId)).toEqual(stack);
  });

  test('listStacks pages through every stack once, in creation order', async () => {
    // Prepare
    const tenantId = newTenantId();
    const start = Date.now();
    const created = Array.from({ length: 5 }, (_, i) =>
      aStack({ tenantId, stackId: newId('stk', start + i * 1000) }),
    );
    for (const stack of [...created].reverse()) await store.putStack(stack);
    await store.putOperation(anOperation({ tenantId, stackId: created[0]!.stackId }));
    const seen: string[] = [];
    const pageSizes: number[] = [];

    // Act
    let nextToken: string | undefined;
    do {
      const page = await store.listStacks(tenantId, { limit: 2, nextToken });
      pageSizes.push(page.items.length);
      seen.push(...page.items.map((stack) => stack.stackId));
      nextToken = page.nextToken;
    } while (nextToken && pageSizes.length < 10);

    // Assess
    expect(seen).toEqual(created.map((stack) => stack.stackId));
    expect(pageSizes.slice(0, 3)).toEqual([2, 2, 1]);
  });

  test('a nextToken from another tenant’s list is a 400 on nextToken', async () => {
    // Prepare
    const other = newTenantId();
    for (let i = 0; i < 2; i++) await store.putStack(aStack({ tenantId: other }));
    const foreign = (await store.listStacks(other, { limit: 1 })).nextToken;

    // Act
    const error = await domainErrorOf(store.listStacks(newTenantId(), { limit: 1, nextToken: foreign }));

    // Assess
    expect(foreign).toBeDefined();
    expect(error).toMatchObject({ status: 400, details: { field: 'nextToken' } });
  });

  test.each([
    ['not base64 JSON', '!!!not-a-token'],
    ['JSON null', encode(null as never)],
    ['a JSON number', Buffer.from('42').toString('base64url')],
    ['a key without the partition', encode({ sk: 'STACK#x' })],
  ])('a nextToken that is %s is a 400 on nextToken', async (_, token) => {
    // Prepare
    const tenantId = newTenantId();

    // Act
    const error = await domainErrorOf(store.listStacks(tenantId, { nextToken: token }));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field: 'nextToken' } });
  });

  // BUG (src/store/page.ts, decodeToken): only the partition attribute is checked, so a token edited
  // within the caller's own partition reaches DynamoDB, which refuses it with a ValidationException:
  // the caller gets a 500 instead of a 400 naming nextToken.
  test.each([
    ['has no sort key', (pk: string) => ({ pk })],
    ['has a sort key of the wrong type', (pk: string) => ({ pk, sk: 5 })],
    ['points outside the stacks', (pk: string) => ({ pk, sk: 'OP#op_1' })],
  ])('a nextToken that names the caller’s partition but %s is a 400 on nextToken', async (_, key) => {
    // Prepare
    const tenantId = newTenantId();
    await store.putStack(aStack({ tenantId }));
    const token = encode(key(keys.stack(tenantId, '').pk));

    // Act
    const error = await domainErrorOf(store.listStacks(tenantId, { nextToken: token }));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field: 'nextToken' } });
  });
});

describe('operations', () => {
  test('listOperations lists a stack’s operations newest first, and only that stack’s', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stackId = newId('stk');
    const start = Date.now();
    const operations = Array.from({ length: 4 }, (_, i) =>
      anOperation({ tenantId, stackId, operationId: newId('op', start + i * 1000) }),
    );
    for (const op of [operations[2]!, operations[0]!, operations[3]!, operations[1]!])
      await store.putOperation(op);
    await store.putOperation(anOperation({ tenantId, stackId: newId('stk') }));

    // Act
    const page = await store.listOperations(tenantId, stackId, {});

    // Assess
    expect(page.items.map((op) => op.operationId)).toEqual(operations.map((op) => op.operationId).reverse());
    expect(page.nextToken).toBeUndefined();
  });

  test('listOperations pages newest first too', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stackId = newId('stk');
    const start = Date.now();
    const ids = Array.from({ length: 3 }, (_, i) => newId('op', start + i * 1000));
    for (const operationId of ids) await store.putOperation(anOperation({ tenantId, stackId, operationId }));

    // Act
    const first = await store.listOperations(tenantId, stackId, { limit: 2 });
    const second = await store.listOperations(tenantId, stackId, { limit: 2, nextToken: first.nextToken });

    // Assess
    expect([...first.items, ...second.items].map((op) => op.operationId)).toEqual([...ids].reverse());
  });

  test('a SUCCEEDED operation is not moved to FAILED by a late writer', async () => {
    // Prepare
    const tenantId = newTenantId();
    const op = anOperation({ tenantId, stackId: newId('stk') });
    await store.putOperation(op);
    await store.finishOperation(tenantId, op.operationId, 'SUCCEEDED');

    // Act
    await store.finishOperation(tenantId, op.operationId, 'FAILED', 'the workflow could not be started');

    // Assess
    const after = await store.getOperation(tenantId, op.operationId);
    expect(after?.status).toBe('SUCCEEDED');
    expect(after?.error).toBeUndefined();
  });

  test('a FAILED operation keeps its first error', async () => {
    // Prepare
    const tenantId = newTenantId();
    const op = anOperation({ tenantId, stackId: newId('stk'), status: 'RUNNING' });
    await store.putOperation(op);
    await store.finishOperation(tenantId, op.operationId, 'FAILED', 'first');

    // Act
    await store.finishOperation(tenantId, op.operationId, 'FAILED', 'second');

    // Assess
    expect(await store.getOperation(tenantId, op.operationId)).toMatchObject({
      status: 'FAILED',
      error: 'first',
    });
  });

  test('finishing an operation that does not exist creates nothing', async () => {
    // Prepare
    const tenantId = newTenantId();
    const operationId = newId('op');

    // Act
    await store.finishOperation(tenantId, operationId, 'FAILED', 'ghost');

    // Assess
    const raw = await dynamo.documentClient.send(
      new GetCommand({ TableName: TABLE_NAME, Key: keys.operation(tenantId, operationId) }),
    );
    expect(raw.Item).toBeUndefined();
  });
});

describe('stack names', () => {
  test('a name is taken once per tenant, whatever its case: the second is a 409 naming the holder', async () => {
    // Prepare
    const tenantId = newTenantId();
    const first = newId('stk');
    await store.claimStackName(tenantId, 'Shop', first);

    // Act
    const error = await domainErrorOf(store.claimStackName(tenantId, 'shop', newId('stk')));

    // Assess
    expect(error.status).toBe(409);
    expect(error.details).toEqual({ field: 'name', stackId: first });
    expect(error.message).toBe('a stack named Shop already exists');
  });

  test('20 concurrent claims of one name: exactly one wins', async () => {
    // Prepare
    const tenantId = newTenantId();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => store.claimStackName(tenantId, 'shop', newId('stk'))),
    );

    // Assess
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  test('another tenant may use the name; a released name can be claimed again, only its holder releases it', async () => {
    // Prepare
    const tenantId = newTenantId();
    const holder = newId('stk');
    await store.claimStackName(tenantId, 'shop', holder);

    // Act
    await store.claimStackName(newTenantId(), 'shop', newId('stk'));
    await store.releaseStackName(tenantId, 'shop', newId('stk'));
    const stillHeld = await domainErrorOf(store.claimStackName(tenantId, 'SHOP', newId('stk')));
    await store.releaseStackName(tenantId, 'shop', holder);
    await store.claimStackName(tenantId, 'SHOP', newId('stk'));

    // Assess
    expect(stillHeld.status).toBe(409);
  });
});
