import { postpone } from '../src/cloud/aws/delivery-queue';
import { subscriptions } from '../src/cloud/aws/dynamodb';
import { subscriptionSecrets } from '../src/cloud/aws/subscription-key';
import { webhookSender } from '../src/cloud/aws/webhooks';
import { eventUnit } from '../src/events/consumers';

/** The webhook delivery queue's consumer (batches of 10, partial batch failures). */
export const handler = eventUnit('webhookSender', {
  subscriptions,
  secrets: subscriptionSecrets,
  sender: webhookSender,
  postpone,
});
