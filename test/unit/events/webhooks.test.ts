import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { keyRingBox, newKeyRing, subscriptionSecretContext } from '../../../src/domain/secret-box';
import { verifyWebhookSignature } from '../../../src/domain/webhook-signature';
import type { WebhookRequest, WebhookResult } from '../../../src/cloud/ports';
import type { PlatformBusEvent } from '../../../src/domain/events';
import type { DeadLetter, Subscription, WebhookDelivery } from '../../../src/domain/subscription';
import {
  deliverWebhook,
  fanOut,
  fanOutBatch,
  onDeliveryBatch,
  type DeliverDeps,
} from '../../../src/events/webhooks';

const ring = newKeyRing();
const secrets = keyRingBox(async () => ring);
const SECRET = 'whsec_unit';
/** The subscriptions these tests use, their secrets sealed up front (sealing is asynchronous). */
const SUBSCRIPTIONS = ['acme/sub_all', 'acme/sub_stages', 'globex/sub_globex', 'acme/sub_acme', 'acme/sub_1'];
const sealed = new Map(
  await Promise.all(
    [...SUBSCRIPTIONS, 'acme/sub_ok', 'acme/sub_bad'].map(async (key) => {
      const [tenantId, subscriptionId] = key.split('/') as [string, string];
      return [key, await secrets.seal(SECRET, subscriptionSecretContext(tenantId, subscriptionId))] as const;
    }),
  ),
);

const anEvent = (detailType: string, tenantId: unknown = 'acme'): PlatformBusEvent => ({
  version: '0',
  id: `evt-${Math.random().toString(36).slice(2)}`,
  'detail-type': detailType,
  source: 'tinystacks',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { tenantId, status: 'ACTIVE' },
});

const aSubscription = (tenantId: string, subscriptionId: string, events: Subscription['events'] = null) => ({
  tenantId,
  subscriptionId,
  url: `https://hooks.example.com/${subscriptionId}`,
  events,
  sealedSecret: sealed.get(`${tenantId}/${subscriptionId}`)!,
  createdBy: 'u',
  createdAt: '2026-01-01T00:00:00Z',
});

/** Subscriptions by tenant, as the store's Query returns them, and what each call asked for. */
function fakeStore(all: Subscription[]) {
  const queried: string[] = [];
  const deadLetters: DeadLetter[] = [];
  return {
    queried,
    deadLetters,
    listAll: async (tenantId: string) => {
      queried.push(tenantId);
      return all.filter((s) => s.tenantId === tenantId);
    },
    get: async (tenantId: string, subscriptionId: string) =>
      all.find((s) => s.tenantId === tenantId && s.subscriptionId === subscriptionId),
    putDeadLetter: async (d: DeadLetter) => {
      deadLetters.push(d);
    },
  };
}

function fakeSender(results: WebhookResult[]) {
  const requests: WebhookRequest[] = [];
  return {
    requests,
    post: async (request: WebhookRequest) => {
      requests.push(request);
      return results.shift() ?? { ok: true as const, status: 200 };
    },
  };
}

type Queued = WebhookDelivery;
const queued = (): Queued[] => [];

describe('fanOut', () => {
  const subscriptions = [
    aSubscription('acme', 'sub_all'),
    aSubscription('acme', 'sub_stages', ['Stage Status Change']),
    aSubscription('globex', 'sub_globex'),
  ];

  test('queues one delivery per subscription of the event’s tenant that wants its type', async () => {
    // Prepare
    const store = fakeStore(subscriptions);
    const enqueued = queued();
    const event = anEvent('Stage Status Change');

    // Act
    const count = await fanOut(event, {
      subscriptions: store,
      queue: { enqueue: async (d) => void enqueued.push(...d) },
    });

    // Assess
    expect(count).toBe(2);
    expect(store.queried).toEqual(['acme']);
    expect(enqueued.map((d) => d.subscriptionId)).toEqual(['sub_all', 'sub_stages']);
    expect(enqueued.every((d) => d.tenantId === 'acme' && d.event === event)).toBe(true);
  });

  test('a type outside a filter, another tenant, or an event without a tenant queue nothing there', async () => {
    // Prepare
    const store = fakeStore(subscriptions);
    const enqueued = queued();
    const deps = {
      subscriptions: store,
      queue: { enqueue: async (d: Queued[]) => void enqueued.push(...d) },
    };

    // Act
    await fanOut(anEvent('Operation Status Change'), deps);
    const none = await fanOut(anEvent('Stage Status Change', null), deps);
    const forged = await fanOut(anEvent('Stage Status Change', 'acme#SUB#x'), deps);

    // Assess
    expect(enqueued.map((d) => d.subscriptionId)).toEqual(['sub_all']);
    expect([none, forged]).toEqual([0, 0]);
    expect(store.queried).toEqual(['acme']);
  });
});

describe('fanOutBatch', () => {
  test('reads each tenant’s subscriptions once for all its events, and queues them in the events’ order', async () => {
    // Prepare
    const store = fakeStore([
      aSubscription('acme', 'sub_all'),
      aSubscription('acme', 'sub_stages', ['Stage Status Change']),
      aSubscription('globex', 'sub_globex'),
    ]);
    const enqueued = queued();
    const events = [
      anEvent('Operation Status Change'),
      anEvent('Stage Status Change'),
      anEvent('Stage Status Change', 'globex'),
      anEvent('Operation Status Change', 'globex'),
      anEvent('Stage Status Change', null),
    ];

    // Act
    const count = await fanOutBatch(events, {
      subscriptions: store,
      queue: { enqueue: async (d) => void enqueued.push(...d) },
    });

    // Assess
    expect(store.queried).toEqual(['acme', 'globex']);
    expect(count).toBe(5);
    expect(enqueued.map((d) => [d.event.id, d.subscriptionId])).toEqual([
      [events[0]!.id, 'sub_all'],
      [events[1]!.id, 'sub_all'],
      [events[1]!.id, 'sub_stages'],
      [events[2]!.id, 'sub_globex'],
      [events[3]!.id, 'sub_globex'],
    ]);
    expect(enqueued.every((d) => d.tenantId === d.event.detail.tenantId)).toBe(true);
  });

  test('a tenant whose subscriptions cannot be read queues nothing, and does not hold the others back', async () => {
    // Prepare
    const store = fakeStore([aSubscription('acme', 'sub_acme'), aSubscription('globex', 'sub_globex')]);
    const enqueued = queued();
    const deps = {
      subscriptions: {
        listAll: (tenantId: string) =>
          tenantId === 'acme' ? Promise.reject(new Error('throttled')) : store.listAll(tenantId),
      },
      queue: { enqueue: async (d: Queued[]) => void enqueued.push(...d) },
    };

    // Act
    const outcome = fanOutBatch(
      [anEvent('Stage Status Change'), anEvent('Stage Status Change', 'globex')],
      deps,
    );

    // Assess
    await expect(outcome).rejects.toThrow('throttled');
    expect(enqueued.map((d) => d.subscriptionId)).toEqual(['sub_globex']);
  });
});

describe('deliverWebhook', () => {
  const subscription = aSubscription('acme', 'sub_1');
  const delivery: WebhookDelivery = {
    tenantId: 'acme',
    subscriptionId: 'sub_1',
    event: anEvent('Stage Status Change'),
    enqueuedAt: '2026-01-01T00:00:00Z',
  };
  const depsWith = (results: WebhookResult[], subs: Subscription[] = [subscription]) => {
    const store = fakeStore(subs);
    const sender = fakeSender(results);
    const deps: DeliverDeps = { subscriptions: store, secrets, sender, random: () => 0 };
    return { store, sender, deps };
  };

  test('POSTs the event to the subscription’s URL, signed with its secret', async () => {
    // Prepare
    const { sender, deps } = depsWith([{ ok: true, status: 204 }]);

    // Act
    const outcome = await deliverWebhook(delivery, 1, deps);

    // Assess
    expect(outcome).toEqual({ kind: 'delivered', status: 204 });
    const request = sender.requests[0]!;
    expect(request.url).toBe(subscription.url);
    expect(JSON.parse(request.body)).toEqual(delivery.event);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'X-TinyStacks-Event-Id': delivery.event.id,
      'X-TinyStacks-Event-Type': 'Stage Status Change',
      'X-TinyStacks-Delivery-Attempt': '1',
    });
    const header = request.headers['X-TinyStacks-Signature'];
    expect(verifyWebhookSignature({ secret: SECRET, body: request.body, header })).toBe(true);
  });

  test('a failure before the last attempt is retried after the schedule’s wait', async () => {
    // Prepare
    const { store, deps } = depsWith([
      { ok: false, status: 503, error: 'HTTP 503' },
      { ok: false, error: 'timed out after 5 s' },
    ]);

    // Act
    const first = await deliverWebhook(delivery, 1, deps);
    const fifth = await deliverWebhook(delivery, 5, deps);

    // Assess
    expect(first).toEqual({ kind: 'retry', delaySeconds: 10, error: 'HTTP 503' });
    expect(fifth).toEqual({ kind: 'retry', delaySeconds: 1800, error: 'timed out after 5 s' });
    expect(store.deadLetters).toEqual([]);
  });

  test('a failure of the last attempt is dead-lettered with what failed, without the secret', async () => {
    // Prepare
    const { store, deps } = depsWith([{ ok: false, status: 500, error: 'HTTP 500' }]);

    // Act
    const outcome = await deliverWebhook(delivery, 6, deps);

    // Assess
    expect(outcome).toEqual({ kind: 'dead-lettered', error: 'HTTP 500' });
    expect(store.deadLetters).toEqual([
      expect.objectContaining({
        tenantId: 'acme',
        subscriptionId: 'sub_1',
        eventId: delivery.event.id,
        detailType: 'Stage Status Change',
        attempts: 6,
        lastError: 'HTTP 500',
        url: subscription.url,
        event: delivery.event,
      }),
    ]);
    expect(JSON.stringify(store.deadLetters)).not.toMatch(/whsec_|sealedSecret/);
  });

  test('a deleted subscription, or an event of another tenant, is dropped without a request', async () => {
    // Prepare
    const { sender, deps } = depsWith([], []);
    const foreign = { ...delivery, event: anEvent('Stage Status Change', 'globex') };

    // Act
    const gone = await deliverWebhook(delivery, 1, deps);
    const crossTenant = await deliverWebhook(foreign, 1, depsWith([]).deps);

    // Assess
    expect(gone.kind).toBe('dropped');
    expect(crossTenant.kind).toBe('dropped');
    expect(sender.requests).toEqual([]);
  });
});

describe('onDeliveryBatch (the sendWebhook SQS consumer)', () => {
  const record = (id: string, delivery: unknown, receiveCount: number): SQSRecord =>
    ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: typeof delivery === 'string' ? delivery : JSON.stringify(delivery),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;

  test('the receive count is the attempt; retries are postponed by the backoff and reported as failures', async () => {
    // Prepare
    const store = fakeStore([aSubscription('acme', 'sub_ok'), aSubscription('acme', 'sub_bad')]);
    const results: Record<string, WebhookResult> = {
      'https://hooks.example.com/sub_ok': { ok: true, status: 200 },
      'https://hooks.example.com/sub_bad': { ok: false, status: 500, error: 'HTTP 500' },
    };
    const attempts: string[] = [];
    const postponed: [string, number][] = [];
    const deliveryTo = (subscriptionId: string): WebhookDelivery => ({
      tenantId: 'acme',
      subscriptionId,
      event: anEvent('Stage Status Change'),
      enqueuedAt: '2026-01-01T00:00:00Z',
    });
    const event: SQSEvent = {
      Records: [
        record('m1', deliveryTo('sub_ok'), 1),
        record('m2', deliveryTo('sub_bad'), 3),
        record('m3', deliveryTo('sub_bad'), 6),
        record('m4', 'not json', 1),
      ],
    };

    // Act
    const response = await onDeliveryBatch(event, {
      subscriptions: store,
      secrets,
      random: () => 0,
      sender: {
        post: async (request) => {
          attempts.push(request.headers['X-TinyStacks-Delivery-Attempt']!);
          return results[request.url]!;
        },
      },
      postpone: async (receiptHandle, delay) => void postponed.push([receiptHandle, delay]),
    });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm4' }]);
    expect(postponed).toEqual([['rh-m2', 120]]);
    expect(attempts.sort()).toEqual(['1', '3', '6']);
    expect(store.deadLetters.map((d) => d.attempts)).toEqual([6]);
  });
});
