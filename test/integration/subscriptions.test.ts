import { verifyWebhookSignature } from '../../src/domain/webhook-signature';
import { MAX_DELIVERY_ATTEMPTS } from '../../src/domain/subscription';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, newStack, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import { startReceiver, type ReceivedDelivery, type Receiver } from '../support/webhook-receiver';

/**
 * Status subscriptions on the embedded runtime: the real routes, store, fan-out, signing and
 * sender, with local HTTP receivers (allowed by allowPrivateWebhooks) and the retry schedule scaled
 * down so a dead letter takes a few seconds.
 */
interface Created {
  subscriptionId: string;
  url: string;
  events: string[] | null;
  secret: string;
}

const eventOf = (d: ReceivedDelivery) =>
  JSON.parse(d.body) as { id: string; 'detail-type': string; detail: Record<string, unknown> };

describe('webhook subscriptions on the embedded runtime', () => {
  let runtime: Runtime;
  let acme: Client;
  let globex: Client;
  const receivers: Receiver[] = [];

  const receiver = async (status?: number) => {
    const r = await startReceiver(status);
    receivers.push(r);
    return r;
  };

  /** A stack with a stage created to the end, so its events have all been emitted. */
  async function stageCreated(api: Client) {
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev' },
    );
    const operation = await api.operationEnd(created.body.operation.operationId);
    expect(operation.status).toBe('SUCCEEDED');
    return { stackId: stack.body.stackId, operationId: created.body.operation.operationId };
  }

  beforeAll(async () => {
    runtime = await startRuntime({
      port: 0,
      stackDelayMs: 10,
      allowPrivateWebhooks: true,
      webhookRetryScale: 0.001,
    });
    acme = client(runtime.url, runtime.tokenFor('acme'));
    globex = client(runtime.url, runtime.tokenFor('globex'));
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  test('a receiver gets its tenant’s events for a stage create, signed so it can verify them', async () => {
    // Prepare
    const hook = await receiver();
    const created = await acme.post<Created>('/v1/subscriptions', { url: hook.url });

    // Act
    const { operationId } = await stageCreated(acme);
    const deliveries = await hook.waitFor(5, (d) => eventOf(d).detail.operationId === operationId);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.events).toBeNull();
    expect(deliveries.map((d) => `${eventOf(d)['detail-type']}:${eventOf(d).detail.status}`).sort()).toEqual([
      'Deployment Status Change:IN_PROGRESS',
      'Deployment Status Change:SUCCEEDED',
      'Operation Status Change:RUNNING',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
    ]);
    for (const d of deliveries) {
      const header = d.headers['x-tinystacks-signature'] as string;
      expect(verifyWebhookSignature({ secret: created.body.secret, body: d.body, header })).toBe(true);
      expect(verifyWebhookSignature({ secret: 'whsec_wrong', body: d.body, header })).toBe(false);
      expect(d.headers['x-tinystacks-event-id']).toBe(eventOf(d).id);
      expect(d.headers['x-tinystacks-event-type']).toBe(eventOf(d)['detail-type']);
      expect(d.headers['content-type']).toBe('application/json');
      expect(eventOf(d).detail.tenantId).toBe('acme');
      expect(validateEvent(eventOf(d))).toEqual([]);
    }
  });

  test('the events filter delivers only the detail-types asked for', async () => {
    // Prepare
    const hook = await receiver();
    await acme.post('/v1/subscriptions', { url: hook.url, events: ['Stage Status Change'] });
    const everything = await receiver();
    await acme.post('/v1/subscriptions', { url: everything.url });

    // Act
    const { operationId } = await stageCreated(acme);
    await everything.waitFor(3, (d) => eventOf(d).detail.operationId === operationId);
    await runtime.webhooks.idle();

    // Assess
    const mine = hook.received.filter((d) => eventOf(d).detail.operationId === operationId);
    expect(mine.map((d) => eventOf(d)['detail-type'])).toEqual(['Stage Status Change']);
  });

  test('another tenant’s events never reach a subscription, in either direction', async () => {
    // Prepare
    const acmeHook = await receiver();
    const globexHook = await receiver();
    await acme.post('/v1/subscriptions', { url: acmeHook.url });
    await globex.post('/v1/subscriptions', { url: globexHook.url });

    // Act
    const globexStage = await stageCreated(globex);
    const acmeStage = await stageCreated(acme);
    await acmeHook.waitFor(3, (d) => eventOf(d).detail.operationId === acmeStage.operationId);
    await globexHook.waitFor(3, (d) => eventOf(d).detail.operationId === globexStage.operationId);
    await runtime.webhooks.idle();

    // Assess
    expect(acmeHook.received.map((d) => eventOf(d).detail.tenantId)).not.toContain('globex');
    expect(globexHook.received.map((d) => eventOf(d).detail.tenantId)).not.toContain('acme');
    expect(globexHook.received.length).toBeGreaterThanOrEqual(3);
  });

  test('a receiver that fails is retried on the backoff schedule, then the delivery is dead-lettered', async () => {
    // Prepare
    const failing = await receiver(500);
    const created = await acme.post<Created>('/v1/subscriptions', {
      url: failing.url,
      events: ['Stage Status Change'],
    });
    const subscriptionId = created.body.subscriptionId;

    // Act
    const { stackId } = await stageCreated(acme);
    const attempts = await failing.waitFor(
      MAX_DELIVERY_ATTEMPTS,
      (d) => eventOf(d).detail.stackId === stackId,
    );
    await runtime.webhooks.idle();
    const deadLetters = await acme.get<{ items: Record<string, unknown>[]; nextToken: string | null }>(
      `/v1/subscriptions/${subscriptionId}/dead-letters`,
    );

    // Assess
    expect(attempts).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(attempts.map((d) => d.headers['x-tinystacks-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(new Set(attempts.map((d) => d.headers['x-tinystacks-event-id'])).size).toBe(1);
    // 10 s, 30 s, 2 min, 10 min, 30 min at a thousandth: each wait at least as long as the schedule's.
    const gaps = attempts.slice(1).map((d, i) => d.receivedAt - attempts[i]!.receivedAt);
    [10, 30, 120, 600, 1800].forEach((ms, i) => expect(gaps[i]).toBeGreaterThanOrEqual(ms - 5));
    expect(deadLetters.status).toBe(200);
    expect(deadLetters.body.items).toHaveLength(1);
    expect(deadLetters.body.items[0]).toMatchObject({
      subscriptionId,
      detailType: 'Stage Status Change',
      attempts: MAX_DELIVERY_ATTEMPTS,
      lastError: 'HTTP 500',
      url: failing.url,
      eventId: attempts[0]!.headers['x-tinystacks-event-id'],
      event: { detail: { stackId, tenantId: 'acme', status: 'ACTIVE' } },
    });
    expect(JSON.stringify(deadLetters.body)).not.toContain(created.body.secret);
  });

  test('list, get and delete; the secret is never shown again; another tenant’s ids are 404', async () => {
    // Prepare
    const hook = await receiver();
    const created = await acme.post<Created>('/v1/subscriptions', {
      url: `${hook.url}#fragment`,
      events: ['Operation Status Change'],
    });
    const id = created.body.subscriptionId;

    // Act
    const got = await acme.get<Created>(`/v1/subscriptions/${id}`);
    const listed = await acme.get<{ items: Created[] }>('/v1/subscriptions?limit=100');
    const firstPage = await acme.get<{ items: Created[]; nextToken: string | null }>(
      '/v1/subscriptions?limit=1',
    );
    const foreignGet = await globex.get(`/v1/subscriptions/${id}`);
    const foreignDeadLetters = await globex.get(`/v1/subscriptions/${id}/dead-letters`);
    const foreignDelete = await globex.delete(`/v1/subscriptions/${id}`);
    const deleted = await acme.delete(`/v1/subscriptions/${id}`);
    const afterDelete = await acme.get(`/v1/subscriptions/${id}`);
    const deletedAgain = await acme.delete(`/v1/subscriptions/${id}`);

    // Assess
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      subscriptionId: id,
      url: hook.url,
      events: ['Operation Status Change'],
      createdAt: expect.any(String),
    });
    expect(listed.body.items.map((s) => s.subscriptionId)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toMatch(/whsec_|sealedSecret/);
    expect(firstPage.body.items).toHaveLength(1);
    expect(firstPage.body.nextToken).toEqual(expect.any(String));
    expect([foreignGet.status, foreignDeadLetters.status, foreignDelete.status]).toEqual([404, 404, 404]);
    expect(deleted.status).toBe(204);
    expect([afterDelete.status, deletedAgain.status]).toEqual([404, 404]);
  });

  test('bad input is a 400 naming the field', async () => {
    // Act
    const replies = await Promise.all([
      acme.post('/v1/subscriptions', {}),
      acme.post('/v1/subscriptions', { url: 'not a url' }),
      acme.post('/v1/subscriptions', { url: 'ftp://example.com/x' }),
      acme.post('/v1/subscriptions', { url: 'https://user:pw@example.com/x' }),
      acme.post('/v1/subscriptions', { url: 'https://example.com', events: ['Stack Exploded'] }),
      acme.post('/v1/subscriptions', { url: 'https://example.com', events: [] }),
      acme.post('/v1/subscriptions', { url: 'https://example.com', colour: 'red' }),
      acme.get('/v1/subscriptions/not-an-id'),
    ]);

    // Assess
    expect(replies.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400]);
    expect(replies.map((r) => (r.body.error as { field: string }).field)).toEqual([
      'url',
      'url',
      'url',
      'url',
      'events.0',
      'events',
      'colour',
      'subscriptionId',
    ]);
  });
});

describe('webhook URLs without --allow-private-webhooks', () => {
  let runtime: Runtime;
  let acme: Client;
  let hook: Receiver;
  /** What the test's DNS answers: a public address at creation, loopback afterwards (DNS rebinding). */
  let rebindTo = '93.184.215.14';

  beforeAll(async () => {
    hook = await startReceiver();
    runtime = await startRuntime({
      port: 0,
      stackDelayMs: 10,
      webhookRetryScale: 0.0001,
      webhookResolver: async (hostname) => {
        if (hostname === 'rebind.example.com') return [{ address: rebindTo, family: 4 }];
        if (hostname === 'internal.example.com')
          return [
            { address: '93.184.215.14', family: 4 },
            { address: '10.1.2.3', family: 4 },
          ];
        if (hostname === 'public.example.com') return [{ address: '93.184.215.14', family: 4 }];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    acme = client(runtime.url, runtime.tokenFor('acme'));
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
    await hook.close();
  });

  test.each([
    ['http://public.example.com/x', 'must use https'],
    ['https://127.0.0.1/x', 'loopback'],
    ['https://[::1]/x', 'loopback'],
    ['https://[::ffff:169.254.169.254]/x', 'link-local'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://2130706433/x', '127.0.0.1'],
    ['https://internal.example.com/x', '10.1.2.3, a private address'],
    ['https://nowhere.example.com/x', 'does not resolve'],
  ])('%s is refused with a 400 naming url (%s)', async (url, reason) => {
    // Act
    const reply = await acme.post('/v1/subscriptions', { url });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ field: 'url', message: expect.stringContaining(reason) });
  });

  test('the local receiver itself is refused: http and loopback', async () => {
    // Act
    const reply = await acme.post('/v1/subscriptions', { url: hook.url });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ field: 'url' });
  });

  test('a host that resolves to loopback after creation (DNS rebinding) is refused at delivery and dead-lettered', async () => {
    // Prepare
    rebindTo = '93.184.215.14';
    const created = await acme.post<Created>('/v1/subscriptions', {
      url: 'https://rebind.example.com/hook',
      events: ['Stage Status Change'],
    });
    expect(created.status).toBe(201);
    rebindTo = '127.0.0.1';

    // Act
    await stageCreated(acme);
    // The event is fanned out just after the operation ends: poll until the dead letter is there.
    const path = `/v1/subscriptions/${created.body.subscriptionId}/dead-letters`;
    let deadLetters = await acme.get<{ items: { lastError: string; attempts: number }[] }>(path);
    for (let i = 0; i < 200 && deadLetters.body.items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      deadLetters = await acme.get(path);
    }

    // Assess
    expect(deadLetters.body.items).toHaveLength(1);
    expect(deadLetters.body.items[0]!.attempts).toBe(MAX_DELIVERY_ATTEMPTS);
    expect(deadLetters.body.items[0]!.lastError).toBe(
      'refused: url host rebind.example.com resolves to 127.0.0.1, a loopback address',
    );
    expect(hook.received).toHaveLength(0);
  });

  async function stageCreated(api: Client) {
    const stack = await api.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev' },
    );
    expect((await api.operationEnd(created.body.operation.operationId)).status).toBe('SUCCEEDED');
  }
});
