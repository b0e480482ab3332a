import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookDelivery } from '../../domain/subscription';
import type { DeliveryQueuePort } from '../ports';
import { requireEnv } from './env';

const client = new SQSClient({});
const queueUrl = requireEnv('WEBHOOK_QUEUE_URL');

/** SendMessageBatch takes ten entries at most. */
const BATCH = 10;
/** Entries SQS refused in a batch answer are sent again this many times before the fan-out fails. */
const RESENDS = 2;
/** SQS's own limit on a visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

async function sendBatch(deliveries: WebhookDelivery[]): Promise<void> {
  let pending = deliveries.map((delivery, index) => ({
    Id: String(index),
    MessageBody: JSON.stringify(delivery),
  }));
  for (let round = 0; pending.length > 0; round++) {
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
    const failed = new Set((out.Failed ?? []).map((f) => f.Id));
    if (failed.size === 0) return;
    if (round === RESENDS) {
      const codes = (out.Failed ?? []).map((f) => f.Code).join(', ');
      throw new Error(`SQS refused ${failed.size} webhook deliveries: ${codes}`);
    }
    pending = pending.filter((entry) => failed.has(entry.Id));
  }
}

/** The webhook delivery queue: one message per delivery, consumed by sendWebhook. */
export const deliveryQueue: DeliveryQueuePort = {
  async enqueue(deliveries) {
    for (let i = 0; i < deliveries.length; i += BATCH) await sendBatch(deliveries.slice(i, i + BATCH));
  },
};

/** The backoff: the message comes back (ApproximateReceiveCount + 1) after this many seconds. */
export async function postpone(receiptHandle: string, delaySeconds: number): Promise<void> {
  await client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.min(Math.max(0, Math.round(delaySeconds)), MAX_VISIBILITY_SECONDS),
    }),
  );
}
