import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookDelivery } from '../../../src/domain/subscription';
import { LocalWebhookQueue } from '../../../src/local/webhooks';
import type { DeliveryOutcome } from '../../../src/events/webhooks';

/** The local SQS queue keeps its messages in a file until their attempt ends, as SQS keeps them. */
describe('the local webhook queue with a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-queue-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const delivery: WebhookDelivery = {
    tenantId: 'acme',
    subscriptionId: 'sub_1',
    enqueuedAt: '2026-01-01T00:00:00.000Z',
    event: {
      version: '0',
      id: 'e1',
      'detail-type': 'Stage Status Change',
      source: 'tinystacks',
      account: '000000000000',
      time: '2026-01-01T00:00:00Z',
      region: 'local',
      resources: [],
      detail: { tenantId: 'acme' },
    },
  };

  test('a retry waiting when the process stops is attempted by the next one', async () => {
    // Prepare: the first attempt fails, its retry waits (scaled to 200 ms)
    const file = join(dir, 'queue.json');
    const first: number[] = [];
    const before = new LocalWebhookQueue(
      async (_d, attempt): Promise<DeliveryOutcome> => {
        first.push(attempt);
        return { kind: 'retry', delaySeconds: 10, error: 'HTTP 503' };
      },
      0.02,
      undefined,
      file,
    );
    await before.enqueue([delivery]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await before.dispose();

    // Act
    const second: [WebhookDelivery, number][] = [];
    const after = new LocalWebhookQueue(
      async (d, attempt): Promise<DeliveryOutcome> => {
        second.push([d, attempt]);
        return { kind: 'delivered', status: 200 };
      },
      0.02,
      undefined,
      file,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    await after.idle();
    const third: number[] = [];
    const last = new LocalWebhookQueue(
      async (_d, attempt): Promise<DeliveryOutcome> => {
        third.push(attempt);
        return { kind: 'delivered', status: 200 };
      },
      0.02,
      undefined,
      file,
    );
    await last.idle();

    // Assess: attempted once before the stop, the retry after it, and then nothing is left
    expect(first).toEqual([1]);
    expect(second).toEqual([[delivery, 2]]);
    expect(third).toEqual([]);
  });
});
