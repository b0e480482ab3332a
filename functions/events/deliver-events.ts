import { deliveryQueue } from '../../src/cloud/aws/delivery-queue';
import { subscriptions } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';
import { fanOut } from '../../src/tasks/webhooks';

/** Every `source: tinystacks` event on the platform bus: one queued delivery per matching subscription. */
export const handler = taskHandler(fanOut, { subscriptions, queue: deliveryQueue });
