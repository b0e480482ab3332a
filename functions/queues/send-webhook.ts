import { postpone } from '../../src/cloud/aws/delivery-queue';
import { subscriptions } from '../../src/cloud/aws/dynamodb';
import { subscriptionSecrets } from '../../src/cloud/aws/subscription-key';
import { webhookSender } from '../../src/cloud/aws/webhooks';
import { onDeliveryBatch } from '../../src/tasks/webhooks';

/** The webhook delivery queue's consumer (batches of 10, partial batch failures). */
export const handler = (event: Parameters<typeof onDeliveryBatch>[0]) =>
  onDeliveryBatch(event, { subscriptions, secrets: subscriptionSecrets, sender: webhookSender, postpone });
