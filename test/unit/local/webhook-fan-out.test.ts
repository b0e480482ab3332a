import { LocalEventBus } from '../../../src/local/bus';
import { addConsumerRules } from '../../../src/local/rules';
import { startLocalWebhooks } from '../../../src/local/webhooks';
import type { Subscription } from '../../../src/domain/subscription';

describe('status subscriptions on the embedded runtime', () => {
  test('the events of one putEvents read their tenant’s subscriptions once, and each is delivered', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const listed: string[] = [];
    const fetched: string[] = [];
    let fetchedBoth: () => void = () => {};
    const bothFetched = new Promise<void>((resolve) => (fetchedBoth = resolve));
    const subscriptions = {
      listAll: async (tenantId: string) => {
        listed.push(tenantId);
        return [{ tenantId, subscriptionId: 'sub_all', events: null } as unknown as Subscription];
      },
      // The delivery reads its subscription first: gone, it is dropped without a request.
      get: async (_tenantId: string, subscriptionId: string) => {
        fetched.push(subscriptionId);
        if (fetched.length === 2) fetchedBoth();
        return undefined;
      },
    };
    const webhooks = startLocalWebhooks(
      { allowPrivate: false, retryScale: 1 },
      { subscriptions: subscriptions as never },
    );
    addConsumerRules(bus, (consumer, event) =>
      consumer === 'deliverEvents' ? webhooks.fanOut(event) : undefined,
    );
    const detail = { tenantId: 'acme', operationId: 'op_1', status: 'SUCCEEDED' };

    // Act
    bus.putEntries([
      { Source: 'tinystacks', DetailType: 'Operation Status Change', Detail: JSON.stringify(detail) },
      { Source: 'tinystacks', DetailType: 'Stage Status Change', Detail: JSON.stringify(detail) },
    ]);
    await bothFetched;

    // Assess
    expect(listed).toEqual(['acme']);
    expect(fetched).toEqual(['sub_all', 'sub_all']);
    bus.close();
    await webhooks.queue.dispose();
  });
});
