import { EVENT_SOURCE, type DetailType, type PlatformBusEvent } from './events';
import { TENANT_ID } from './ids';

/**
 * Status subscriptions: a tenant's events delivered to an HTTPS endpoint of theirs as signed
 * webhooks, retried with backoff, dead-lettered after the last attempt. The rules here are plain
 * functions; where the URL may point is decided by src/domain/webhook-guard.ts, the signature by
 * src/domain/webhook-signature.ts.
 */

/** A tenant's subscriptions are fanned out on every event: their number is bounded. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 20;
export const MAX_URL_LENGTH = 2048;

export interface Subscription {
  tenantId: string;
  subscriptionId: string;
  /** As given, without its fragment. */
  url: string;
  /** The detail-types delivered; null: all of them, including those added later. */
  events: DetailType[] | null;
  /** The signing secret, sealed with the platform's subscription key (src/domain/secret-box.ts). */
  sealedSecret: string;
  createdBy: string;
  createdAt: string;
}

/** What a subscription's delivery failed with after its last attempt, for the dead-letters route. */
export interface DeadLetter {
  tenantId: string;
  subscriptionId: string;
  deadLetterId: string;
  eventId: string;
  detailType: string;
  url: string;
  attempts: number;
  /** The last failure: an HTTP status, a timeout, a refused address. Never the response body. */
  lastError: string;
  enqueuedAt: string;
  failedAt: string;
  /** The event that was not delivered (ids and statuses only, as on the bus). */
  event: PlatformBusEvent;
}

/** Dead letters are kept this long (the table's TTL removes them). */
export const DEAD_LETTER_RETENTION_DAYS = 30;

/**
 * What one queued delivery carries: which subscription, and the event. Never the secret: the
 * sender reads it from the subscription, so a deleted subscription's deliveries stop.
 */
export interface WebhookDelivery {
  tenantId: string;
  subscriptionId: string;
  event: PlatformBusEvent;
  enqueuedAt: string;
}

/** Whether a subscription receives an event: the tenant's own, of a type it asked for. */
export function subscriptionWants(
  subscription: Pick<Subscription, 'tenantId' | 'events'>,
  event: Pick<PlatformBusEvent, 'source' | 'detail-type' | 'detail'>,
): boolean {
  if (event.source !== EVENT_SOURCE) return false;
  if (event.detail.tenantId !== subscription.tenantId) return false;
  return subscription.events === null || (subscription.events as string[]).includes(event['detail-type']);
}

/**
 * The wait before each retry, in seconds: after the 1st failed attempt 10 s, then 30 s, 2 min,
 * 10 min, 30 min. The attempt after the last wait is the last: 6 attempts over about 43 minutes.
 */
export const RETRY_DELAYS_SECONDS = [10, 30, 120, 600, 1800] as const;
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** Each wait is stretched by up to this fraction, so retries to a recovering receiver spread out. */
export const RETRY_JITTER = 0.1;

/**
 * The wait before the next attempt after attempt `attempt` (1-based) failed, or undefined when that
 * was the last attempt and the delivery is dead-lettered.
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be 1 or more, got ${attempt}`);
  const base = RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 + RETRY_JITTER * random()));
}

/** The tenant an event belongs to, or undefined when it names none (such an event is delivered to no one). */
export function tenantOf(event: Pick<PlatformBusEvent, 'detail'>): string | undefined {
  const tenantId = event.detail?.tenantId;
  return typeof tenantId === 'string' && TENANT_ID.test(tenantId) ? tenantId : undefined;
}
