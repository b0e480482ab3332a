import { deliveryQueue } from '../src/cloud/aws/delivery-queue';
import { subscriptions } from '../src/cloud/aws/dynamodb';
import { eventUnit } from '../src/events/consumers';

/** Every `source: tinystacks` event on the platform bus: one queued delivery per matching subscription. */
export const handler = eventUnit('webhookFanOut', { subscriptions, queue: deliveryQueue });
