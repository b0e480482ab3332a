import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../../src/domain/errors';
import { newId } from '../../../src/domain/ids';
import type { DeadLetter, Subscription } from '../../../src/domain/subscription';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { keys } from '../../../src/store/keys';
import { SubscriptionStore } from '../../../src/store/subscriptions';
import { newTenantId, TABLE_NAME } from '../../support/fixtures';

let dynamo: LocalDynamo;
let store: SubscriptionStore;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  store = new SubscriptionStore(dynamo.documentClient, TABLE_NAME);
});
afterAll(async () => {
  await dynamo.close();
});

const aSubscription = (tenantId: string, overrides: Partial<Subscription> = {}): Subscription => ({
  tenantId,
  subscriptionId: newId('sub'),
  url: 'https://hooks.example.com/x',
  events: null,
  sealedSecret: 'v1.iv.ct.tag',
  createdBy: 'user-1',
  createdAt: new Date().toISOString(),
  ...overrides,
});

const aDeadLetter = (s: Subscription, now = Date.now()): DeadLetter => ({
  tenantId: s.tenantId,
  subscriptionId: s.subscriptionId,
  deadLetterId: newId('dl', now),
  eventId: `e-${now}`,
  detailType: 'Stage Status Change',
  url: s.url,
  attempts: 6,
  lastError: 'HTTP 500',
  enqueuedAt: new Date(now).toISOString(),
  failedAt: new Date(now).toISOString(),
  event: {
    version: '0',
    id: `e-${now}`,
    'detail-type': 'Stage Status Change',
    source: 'tinystacks',
    account: '000000000000',
    time: new Date(now).toISOString(),
    region: 'local',
    resources: [],
    detail: { tenantId: s.tenantId },
  },
});

async function statusOf(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error.status;
}

describe('SubscriptionStore', () => {
  test('create, get, list oldest first with pages, delete', async () => {
    // Prepare
    const tenantId = newTenantId();
    const first = aSubscription(tenantId, { subscriptionId: newId('sub', Date.now() - 1000) });
    const second = aSubscription(tenantId);

    // Act
    await store.create(second);
    await store.create(first);
    const page1 = await store.list(tenantId, { limit: 1 });
    const page2 = await store.list(tenantId, { limit: 1, nextToken: page1.nextToken });
    const got = await store.get(tenantId, first.subscriptionId);
    await store.delete(tenantId, first.subscriptionId);

    // Assess
    expect(page1.items).toEqual([first]);
    expect(page2.items).toEqual([second]);
    expect(got).toEqual(first);
    expect(await store.get(tenantId, first.subscriptionId)).toBeUndefined();
    expect(await store.listAll(tenantId)).toEqual([second]);
  });

  test('another tenant’s subscription is not found; its list is empty; its page token is refused', async () => {
    // Prepare
    const tenantId = newTenantId();
    const other = newTenantId();
    const subscription = aSubscription(tenantId);
    await store.create(subscription);
    await store.create(aSubscription(tenantId));
    const page = await store.list(tenantId, { limit: 1 });

    // Act / Assess
    expect(await store.get(other, subscription.subscriptionId)).toBeUndefined();
    expect(await statusOf(store.require(other, subscription.subscriptionId))).toBe(404);
    expect(await statusOf(store.delete(other, subscription.subscriptionId))).toBe(404);
    expect(await store.listAll(other)).toEqual([]);
    expect(await statusOf(store.list(other, { nextToken: page.nextToken }))).toBe(400);
  });

  test('a tenant has at most the limit; deleting one frees a slot', async () => {
    // Prepare
    const tenantId = newTenantId();
    const created = [aSubscription(tenantId), aSubscription(tenantId)];
    for (const s of created) await store.create(s, 2);

    // Act
    const third = await statusOf(store.create(aSubscription(tenantId), 2));
    await store.delete(tenantId, created[0]!.subscriptionId);
    await store.create(aSubscription(tenantId), 2);

    // Assess
    expect(third).toBe(409);
    expect(await store.listAll(tenantId)).toHaveLength(2);
  });

  test('concurrent creates never exceed the limit', async () => {
    // Prepare
    const tenantId = newTenantId();

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.create(aSubscription(tenantId), 3)),
    );

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await store.listAll(tenantId)).toHaveLength(3);
  });

  test('dead letters: newest first, paginated, with a TTL, per subscription', async () => {
    // Prepare
    const tenantId = newTenantId();
    const subscription = aSubscription(tenantId);
    const other = aSubscription(tenantId);
    const now = Date.now();
    const older = aDeadLetter(subscription, now - 5000);
    const newer = aDeadLetter(subscription, now);
    await store.putDeadLetter(older, now);
    await store.putDeadLetter(newer, now);
    await store.putDeadLetter(aDeadLetter(other, now), now);

    // Act
    const page1 = await store.listDeadLetters(tenantId, subscription.subscriptionId, { limit: 1 });
    const page2 = await store.listDeadLetters(tenantId, subscription.subscriptionId, {
      limit: 1,
      nextToken: page1.nextToken,
    });
    const raw = await dynamo.documentClient.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: keys.deadLetter(tenantId, subscription.subscriptionId, newer.deadLetterId),
      }),
    );

    // Assess
    expect(page1.items).toEqual([newer]);
    expect(page2.items).toEqual([older]);
    expect(raw.Item!.expiresAt).toBe(Math.floor(now / 1000) + 30 * 24 * 3600);
  });
});
