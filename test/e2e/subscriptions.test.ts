import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyWebhookSignature } from '../../src/domain/webhook-signature';
import { client, newStack, type Client } from '../support/client';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { startReceiver, type ReceivedDelivery, type Receiver } from '../support/webhook-receiver';

/**
 * Status subscriptions end to end over HTTP against `npm start -- --allow-private-webhooks` (the
 * same entry point, on a free port and a temp data folder), with local receivers: what a user does
 * following the README's "Subscribing to events".
 */
const eventOf = (d: ReceivedDelivery) =>
  JSON.parse(d.body) as { id: string; 'detail-type': string; detail: Record<string, unknown> };

describe('webhook subscriptions against npm start -- --allow-private-webhooks', () => {
  let server: LocalServer;
  let acme: Client;
  let other: Client;
  let ok: Receiver;
  let failing: Receiver;
  let otherHook: Receiver;

  beforeAll(async () => {
    [ok, failing, otherHook] = await Promise.all([
      startReceiver(200),
      startReceiver(503),
      startReceiver(200),
    ]);
    server = await startLocalServer('subscriptions', [
      '--stack-delay',
      '50',
      '--allow-private-webhooks',
      '--webhook-retry-scale',
      '0.001',
    ]);
    acme = server.api;
    other = client(server.url, server.tokenFor('other-tenant'));
  });

  afterAll(async () => {
    await server.dispose();
    await Promise.all([ok, failing, otherHook].map((r) => r.close()));
  });

  test('signed deliveries for a stage create; a failing receiver retried then dead-lettered; no other tenant’s events', async () => {
    // Prepare
    const subscribed = await acme.post<{ subscriptionId: string; secret: string }>('/v1/subscriptions', {
      url: ok.url,
    });
    const failingSub = await acme.post<{ subscriptionId: string }>('/v1/subscriptions', {
      url: failing.url,
      events: ['Stage Status Change'],
    });
    const otherSub = await other.post('/v1/subscriptions', { url: otherHook.url });

    // Act
    const stack = await acme.post<{ stackId: string }>('/v1/stacks', newStack());
    const created = await acme.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      { name: 'dev' },
    );
    const operation = await acme.operationEnd(created.body.operation.operationId);
    const delivered = await ok.waitFor(
      3,
      (d) => eventOf(d).detail.operationId === created.body.operation.operationId,
    );
    await failing.waitFor(6);
    let deadLetters = await acme.get<{
      items: { attempts: number; lastError: string; detailType: string }[];
    }>(`/v1/subscriptions/${failingSub.body.subscriptionId}/dead-letters`);
    for (let i = 0; i < 100 && deadLetters.body.items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      deadLetters = await acme.get(`/v1/subscriptions/${failingSub.body.subscriptionId}/dead-letters`);
    }
    const listed = await acme.get<{ items: { subscriptionId: string }[] }>('/v1/subscriptions');

    // Assess
    expect([subscribed.status, failingSub.status, otherSub.status]).toEqual([201, 201, 201]);
    expect(operation.status).toBe('SUCCEEDED');
    expect(delivered.map((d) => `${eventOf(d)['detail-type']}:${eventOf(d).detail.status}`).sort()).toEqual([
      'Deployment Status Change:IN_PROGRESS',
      'Deployment Status Change:SUCCEEDED',
      'Operation Status Change:RUNNING',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
    ]);
    for (const d of delivered) {
      expect(
        verifyWebhookSignature({
          secret: subscribed.body.secret,
          body: d.body,
          header: d.headers['x-tinystacks-signature'] as string,
        }),
      ).toBe(true);
      expect(eventOf(d).detail.tenantId).toBe('local');
    }
    expect(failing.received.map((d) => d.headers['x-tinystacks-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(deadLetters.body.items).toEqual([
      expect.objectContaining({ attempts: 6, lastError: 'HTTP 503', detailType: 'Stage Status Change' }),
    ]);
    expect(otherHook.received).toEqual([]);
    expect(listed.body.items.map((s) => s.subscriptionId).sort()).toEqual(
      [subscribed.body.subscriptionId, failingSub.body.subscriptionId].sort(),
    );
    expect(JSON.stringify(listed.body)).not.toContain(subscribed.body.secret);
    expect(server.output()).toContain('--allow-private-webhooks');
    expect(server.output()).not.toContain(subscribed.body.secret);
    expect(readFileSync(join(server.dataDir, 'server.log'), 'utf8')).not.toContain(subscribed.body.secret);
    expect(statSync(join(server.dataDir, 'subscription-keys.json')).mode & 0o777).toBe(0o600);
  });
});
