import { createSubscriptionRoute } from '../../src/api/subscriptions';
import { subscriptions } from '../../src/cloud/aws/dynamodb';
import { subscriptionSecrets } from '../../src/cloud/aws/subscription-key';
import { webhookPolicy } from '../../src/cloud/aws/webhooks';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(createSubscriptionRoute, {
  subscriptions,
  webhooks: { policy: webhookPolicy, secrets: subscriptionSecrets },
});
