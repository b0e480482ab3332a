import { routes } from '../src/api/units/credentials';
import { databases, store, subscriptions } from '../src/cloud/aws/dynamodb';
import { bus } from '../src/cloud/aws/events';
import { keys } from '../src/cloud/aws/keys';
import { secrets } from '../src/cloud/aws/secrets';
import { subscriptionSecrets } from '../src/cloud/aws/subscription-key';
import { webhookPolicy } from '../src/cloud/aws/webhooks';
import { httpRouter } from '../src/http/handler';

/** Routes that hand out secrets: View Secret, the bastion's private key, a subscription's signing secret. */
export const handler = httpRouter(routes, {
  store,
  databases,
  secrets,
  keys,
  bus,
  subscriptions,
  webhooks: { policy: webhookPolicy, secrets: subscriptionSecrets },
});
