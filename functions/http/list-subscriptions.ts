import { listSubscriptionsRoute } from '../../src/api/subscriptions';
import { subscriptions } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listSubscriptionsRoute, { subscriptions });
