import { DomainError } from '../../../src/domain/errors';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from '../../../src/store/idempotency';
import { newTenantId, TABLE_NAME } from '../../support/fixtures';

let dynamo: LocalDynamo;
let idempotency: IdempotencyStore;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  idempotency = new IdempotencyStore(dynamo.documentClient, TABLE_NAME);
});

afterAll(async () => {
  await dynamo.close();
});

const HOUR = 60 * 60 * 1000;
const response = { statusCode: 202, body: '{"operation":{"operationId":"op_1"}}' };

async function rejection(promise: Promise<unknown>): Promise<DomainError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof DomainError ? error : Promise.reject(error)),
  );
}

describe('IdempotencyStore', () => {
  test('keys are kept at least 24 hours', () => {
    // Prepare
    // Act
    // Assess
    expect(IDEMPOTENCY_TTL_SECONDS).toBeGreaterThanOrEqual(24 * 60 * 60);
  });

  test('a completed key replays its response for the same request', async () => {
    // Prepare
    const tenantId = newTenantId();
    const now = Date.now();
    await idempotency.claim(tenantId, 'k1', 'fp', now);
    await idempotency.complete(tenantId, 'k1', response);

    // Act
    const claim = await idempotency.claim(tenantId, 'k1', 'fp', now + 23 * HOUR);

    // Assess
    expect(claim).toEqual({ kind: 'replay', response });
  });

  test('a key is claimed afresh once it has expired, 25 hours later', async () => {
    // Prepare
    const tenantId = newTenantId();
    const now = Date.now();
    await idempotency.claim(tenantId, 'k1', 'fp', now);
    await idempotency.complete(tenantId, 'k1', response);

    // Act
    const later = await idempotency.claim(tenantId, 'k1', 'another request', now + 25 * HOUR);

    // Assess
    expect(later).toEqual({ kind: 'new' });
  });

  test('the same key with another request is a 422 naming Idempotency-Key', async () => {
    // Prepare
    const tenantId = newTenantId();
    await idempotency.claim(tenantId, 'k1', 'fp-a');
    await idempotency.complete(tenantId, 'k1', response);

    // Act
    const error = await rejection(idempotency.claim(tenantId, 'k1', 'fp-b'));

    // Assess
    expect(error).toMatchObject({ status: 422, details: { field: 'Idempotency-Key' } });
  });

  test('a repeat while the first request is still running is a 409', async () => {
    // Prepare
    const tenantId = newTenantId();
    await idempotency.claim(tenantId, 'k1', 'fp');

    // Act
    const error = await rejection(idempotency.claim(tenantId, 'k1', 'fp'));

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'RequestInProgress' });
  });

  test('a released key can be claimed again', async () => {
    // Prepare
    const tenantId = newTenantId();
    await idempotency.claim(tenantId, 'k1', 'fp');
    await idempotency.release(tenantId, 'k1');

    // Act
    const claim = await idempotency.claim(tenantId, 'k1', 'fp');

    // Assess
    expect(claim).toEqual({ kind: 'new' });
  });

  test('keys belong to their tenant', async () => {
    // Prepare
    const [a, b] = [newTenantId(), newTenantId()];
    await idempotency.claim(a, 'shared-key', 'fp-a');
    await idempotency.complete(a, 'shared-key', response);

    // Act
    const claim = await idempotency.claim(b, 'shared-key', 'fp-b');

    // Assess
    expect(claim).toEqual({ kind: 'new' });
  });

  test('of concurrent first claims of one key, exactly one is new', async () => {
    // Prepare
    const tenantId = newTenantId();

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => idempotency.claim(tenantId, 'k1', 'fp')),
    );

    // Assess
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((r) => (r.reason as DomainError).status)).toEqual([409, 409, 409, 409]);
  });
});
