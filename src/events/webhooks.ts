import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SecretBox } from '../domain/secret-box';
import { subscriptionSecretContext } from '../domain/secret-box';
import {
  ATTEMPT_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
} from '../domain/webhook-signature';
import type { DeliveryQueuePort, WebhookSenderPort } from '../cloud/ports';
import type { PlatformBusEvent } from '../domain/events';
import { newId } from '../domain/ids';
import {
  MAX_DELIVERY_ATTEMPTS,
  retryDelaySeconds,
  subscriptionWants,
  tenantOf,
  type WebhookDelivery,
} from '../domain/subscription';
import { errorFields, log } from '../log';
import type { SubscriptionStore } from '../store/subscriptions';

/**
 * Status subscriptions, after the event: the fan-out (one event → one queued delivery per matching
 * subscription of the event's tenant) and the delivery (sign, POST, retry or dead-letter). The same
 * functions run on AWS (deliverEvents: an EventBridge rule target; sendWebhook: an SQS consumer)
 * and on the embedded runtime (a bus listener and timers, src/local/webhooks.ts).
 */

export interface FanOutDeps {
  subscriptions: Pick<SubscriptionStore, 'listAll'>;
  queue: DeliveryQueuePort;
}

/**
 * Queues the event for each subscription of its tenant that asked for its detail-type. The tenant
 * comes from the event's detail: the Query reads only that tenant's partition, so another
 * tenant's subscriptions are never even read. Returns how many deliveries were queued.
 */
export async function fanOut(event: PlatformBusEvent, deps: FanOutDeps): Promise<number> {
  return fanOutBatch([event], deps);
}

/**
 * fanOut for events that arrive together (one putEvents: a workflow's operation and stage events):
 * each tenant's subscriptions are read once for all of its events, and its deliveries are queued
 * in the events' order. A tenant whose read fails queues nothing, and fails the batch once the
 * others are queued.
 */
export async function fanOutBatch(events: PlatformBusEvent[], deps: FanOutDeps): Promise<number> {
  const byTenant = new Map<string, PlatformBusEvent[]>();
  for (const event of events) {
    const tenantId = tenantOf(event);
    if (tenantId) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), event]);
  }
  const outcomes = await Promise.allSettled(
    [...byTenant].map(async ([tenantId, tenantEvents]) => {
      const subscriptions = await deps.subscriptions.listAll(tenantId);
      const enqueuedAt = new Date().toISOString();
      const deliveries = tenantEvents.flatMap((event) =>
        subscriptions
          .filter((s) => subscriptionWants(s, event))
          .map((s) => ({ tenantId, subscriptionId: s.subscriptionId, event, enqueuedAt })),
      );
      if (deliveries.length > 0) await deps.queue.enqueue(deliveries);
      return deliveries.length;
    }),
  );
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
}

export interface DeliverDeps {
  subscriptions: Pick<SubscriptionStore, 'get' | 'putDeadLetter'>;
  secrets: SecretBox;
  sender: WebhookSenderPort;
  random?: () => number;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  /** The subscription is gone, or the delivery does not belong to it: nothing to do. */
  | { kind: 'dropped'; reason: string }
  | { kind: 'retry'; delaySeconds: number; error: string }
  | { kind: 'dead-lettered'; error: string };

/**
 * Attempt number `attempt` (1-based) of one delivery. On failure: the wait before the next attempt,
 * or, after the last one, a dead letter (what failed and why, for GET …/dead-letters).
 */
export async function deliverWebhook(
  delivery: WebhookDelivery,
  attempt: number,
  deps: DeliverDeps,
): Promise<DeliveryOutcome> {
  const { tenantId, subscriptionId, event } = delivery;
  // Defence in depth: a delivery only ever carries its own tenant's event.
  if (tenantOf(event) !== tenantId) return { kind: 'dropped', reason: 'the event belongs to another tenant' };
  const subscription = await deps.subscriptions.get(tenantId, subscriptionId);
  if (!subscription) return { kind: 'dropped', reason: 'the subscription was deleted' };

  const secret = await deps.secrets.open(
    subscription.sealedSecret,
    subscriptionSecretContext(tenantId, subscriptionId),
  );
  const body = JSON.stringify(event);
  const result = await deps.sender.post({
    url: subscription.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'TinyStacks-Webhooks/1',
      [SIGNATURE_HEADER]: signWebhook(secret, body),
      [EVENT_ID_HEADER]: event.id,
      [EVENT_TYPE_HEADER]: event['detail-type'],
      [ATTEMPT_HEADER]: String(attempt),
    },
  });
  if (result.ok) return { kind: 'delivered', status: result.status };

  const delaySeconds = retryDelaySeconds(Math.min(attempt, MAX_DELIVERY_ATTEMPTS), deps.random);
  const ids = { tenantId, subscriptionId, eventId: event.id, attempt };
  if (delaySeconds !== undefined) {
    log.info('webhook delivery failed, will retry', { ...ids, error: result.error, delaySeconds });
    return { kind: 'retry', delaySeconds, error: result.error };
  }
  await deps.subscriptions.putDeadLetter({
    tenantId,
    subscriptionId,
    deadLetterId: newId('dl'),
    eventId: event.id,
    detailType: event['detail-type'],
    url: subscription.url,
    attempts: attempt,
    lastError: result.error,
    enqueuedAt: delivery.enqueuedAt,
    failedAt: new Date().toISOString(),
    event,
  });
  log.warn('webhook delivery dead-lettered', { ...ids, error: result.error });
  return { kind: 'dead-lettered', error: result.error };
}

export interface DeliveryBatchDeps extends DeliverDeps {
  /** Makes a received message visible again after this many seconds (SQS ChangeMessageVisibility). */
  postpone(receiptHandle: string, delaySeconds: number): Promise<void>;
}

/**
 * The sendWebhook function: one SQS batch, each message a delivery, all attempted at once. A
 * message's receive count is its attempt number. A failure to retry reports the message as a
 * batch item failure after moving its visibility to the backoff delay, so SQS hands it back then;
 * everything else (delivered, dead-lettered, dropped) is deleted from the queue.
 */
export async function onDeliveryBatch(event: SQSEvent, deps: DeliveryBatchDeps): Promise<SQSBatchResponse> {
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      try {
        const delivery = JSON.parse(record.body) as WebhookDelivery;
        const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
        const outcome = await deliverWebhook(delivery, attempt, deps);
        if (outcome.kind !== 'retry') return undefined;
        await deps.postpone(record.receiptHandle, outcome.delaySeconds).catch((error: unknown) =>
          log.error('could not postpone a webhook retry', {
            messageId: record.messageId,
            ...errorFields(error),
          }),
        );
        return record.messageId;
      } catch (error) {
        // The store or the key failed, not the receiver: SQS redelivers after the visibility timeout.
        log.error('webhook delivery errored', { messageId: record.messageId, ...errorFields(error) });
        return record.messageId;
      }
    }),
  );
  return {
    batchItemFailures: failures
      .filter((id): id is string => id !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}
