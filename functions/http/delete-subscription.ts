import { deleteSubscriptionRoute } from '../../src/api/subscriptions';
import { idempotency, subscriptions } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(deleteSubscriptionRoute, { subscriptions, idempotency });
