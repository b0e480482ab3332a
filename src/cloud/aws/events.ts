import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBusPort, PlatformEvent } from '../ports';
import { requireEnv } from './env';

const client = new EventBridgeClient({});
const busName = requireEnv('EVENT_BUS_NAME');

/** The platform's custom bus. PutEvents reports per-entry failures in its answer; they are raised, not dropped. */
export const bus: EventBusPort = {
  async publish(events: PlatformEvent[]) {
    if (events.length === 0) return;
    const out = await client.send(
      new PutEventsCommand({
        Entries: events.map((e) => ({
          EventBusName: busName,
          Source: 'tinystacks',
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        })),
      }),
    );
    if (out.FailedEntryCount) {
      const codes = (out.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
      throw new Error(`EventBridge refused ${out.FailedEntryCount} event(s): ${codes.join(', ')}`);
    }
  },
};
