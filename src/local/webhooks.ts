import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyRingBox, keyRingJson, newKeyRing, parseKeyRing, type KeyRing } from '../domain/secret-box';
import type { WebhookSettings } from '../app/subscriptions';
import type { Resolver, TargetPolicy } from '../domain/webhook-guard';
import type { DeliveryQueuePort } from '../cloud/ports';
import { createWebhookSender, systemResolver } from '../cloud/webhook-sender';
import type { PlatformBusEvent } from '../domain/events';
import { MAX_DELIVERY_ATTEMPTS, type WebhookDelivery } from '../domain/subscription';
import { errorFields, log } from '../log';
import type { SubscriptionStore } from '../store/subscriptions';
import { deliverWebhook, fanOutBatch, type DeliveryOutcome } from '../events/webhooks';
import { iam } from './iam-recorder';
import { readJson, simulatedStateOf, writeJsonAtomic } from './state-files';

type Deliver = (delivery: WebhookDelivery, attempt: number) => Promise<DeliveryOutcome>;

/** A message of the queue: a delivery, its attempt number, and when it is due. */
interface QueuedDelivery {
  delivery: WebhookDelivery;
  attempt: number;
  dueAt: number;
}

/**
 * The SQS queue and its sendWebhook consumer on one machine: each delivery is attempted right away
 * and, when it fails, again after the same backoff as on AWS multiplied by `retryScale`
 * (`--webhook-retry-scale 0.01` turns 10 s … 30 min into 100 ms … 18 s). Dead letters are recorded
 * by the same code. With a file, the messages are kept in it until their attempt has ended, as SQS
 * keeps them: a restart attempts what was pending (again, if an attempt was cut off: at least once).
 */
export class LocalWebhookQueue implements DeliveryQueuePort {
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private disposed = false;
  private readonly messages = new Map<number, QueuedDelivery>();
  private nextId = 0;

  constructor(
    private readonly deliver: Deliver,
    private readonly retryScale = 1,
    private readonly onOutcome: (delivery: WebhookDelivery, outcome: DeliveryOutcome) => void = () => {},
    private readonly file?: string,
  ) {
    const kept = file ? (readJson<QueuedDelivery[]>(file) ?? []) : [];
    for (const message of kept)
      this.schedule(message.delivery, message.attempt, Math.max(0, message.dueAt - Date.now()));
  }

  async enqueue(deliveries: WebhookDelivery[]): Promise<void> {
    for (const delivery of deliveries) this.schedule(delivery, 1, 0);
    this.save();
  }

  /** Resolves once nothing is pending: no attempt running, no retry waiting. */
  idle(): Promise<void> {
    if (this.timers.size === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Stops the retries still waiting (kept in the file, if any, for the next start) and resolves
   * once the attempts under way have ended.
   */
  dispose(): Promise<void> {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.settle();
    return this.idle();
  }

  private schedule(delivery: WebhookDelivery, attempt: number, delayMs: number): void {
    if (this.disposed) return;
    const id = this.nextId++;
    this.messages.set(id, { delivery, attempt, dueAt: Date.now() + delayMs });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.inFlight++;
      void this.attempt(delivery, attempt)
        .finally(() => {
          this.messages.delete(id);
          this.save();
        })
        .finally(() => {
          this.inFlight--;
          this.settle();
        });
    }, delayMs);
    this.timers.add(timer);
  }

  private save(): void {
    if (this.file && !this.disposed) writeJsonAtomic(this.file, [...this.messages.values()]);
  }

  private async attempt(delivery: WebhookDelivery, attempt: number): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.deliver(delivery, attempt);
    } catch (error) {
      // The store or the key failed, not the receiver: like SQS, try again later.
      log.error('webhook delivery errored', {
        subscriptionId: delivery.subscriptionId,
        ...errorFields(error),
      });
      outcome = { kind: 'retry', delaySeconds: 10, error: 'internal error' };
    }
    this.onOutcome(delivery, outcome);
    // Like the SQS redrive policy: a delivery that keeps erroring (not failing) is given up on.
    if (outcome.kind === 'retry' && attempt >= 2 * MAX_DELIVERY_ATTEMPTS) {
      log.error('webhook delivery abandoned', { subscriptionId: delivery.subscriptionId, attempt });
      return;
    }
    if (outcome.kind === 'retry')
      this.schedule(delivery, attempt + 1, outcome.delaySeconds * 1000 * this.retryScale);
  }

  private settle(): void {
    if (this.timers.size > 0 || this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The key ring that seals subscription secrets: kept beside the data (0600), or per process with
 * --memory. A key file of the first version (`subscription-key`, 32 bytes) joins the ring as its
 * legacy key, so subscriptions made before still sign their deliveries.
 */
function subscriptionKeyRing(dataDir: string | undefined): KeyRing {
  if (!dataDir) return newKeyRing();
  const file = join(dataDir, 'subscription-keys.json');
  if (existsSync(file)) return parseKeyRing(readFileSync(file, 'utf8'));
  const legacyFile = join(dataDir, 'subscription-key');
  const ring = newKeyRing();
  if (existsSync(legacyFile)) ring.legacy = readFileSync(legacyFile, 'utf8').trim();
  writeFileSync(file, `${keyRingJson(ring)}\n`, { mode: 0o600 });
  return ring;
}

export interface LocalWebhookOptions {
  dataDir?: string;
  /** `--allow-private-webhooks`: http:// and private, loopback, link-local addresses, for local receivers. */
  allowPrivate: boolean;
  retryScale: number;
  resolve?: Resolver;
  timeoutMs?: number;
}

/**
 * Status subscriptions on the embedded runtime: the settings the API uses, the local queue, and the
 * fan-out the deliverEvents rule targets (src/events/consumers.ts; on AWS an EventBridge rule →
 * deliverEvents → SQS → sendWebhook).
 */
export function startLocalWebhooks(
  options: LocalWebhookOptions,
  parts: { subscriptions: SubscriptionStore },
): {
  settings: WebhookSettings;
  queue: LocalWebhookQueue;
  fanOut: (event: PlatformBusEvent) => Promise<void>;
} {
  const policy: TargetPolicy = {
    allowPrivate: options.allowPrivate,
    resolve: options.resolve ?? systemResolver,
  };
  const ring = subscriptionKeyRing(options.dataDir);
  const secrets = keyRingBox(async () => ring);
  const sender = createWebhookSender(policy, { timeoutMs: options.timeoutMs });
  const queue = new LocalWebhookQueue(
    iam.queueConsumer('webhookSender', 'WEBHOOK_QUEUE_URL', (delivery: WebhookDelivery, attempt: number) =>
      deliverWebhook(delivery, attempt, iam.deps({ subscriptions: parts.subscriptions, secrets, sender })),
    ),
    options.retryScale,
    undefined,
    simulatedStateOf(options.dataDir).webhookQueue,
  );
  // The bus hands the rule's target the entries of one putEvents one after another, in the same
  // turn of the event loop: they are fanned out together on the next, so a tenant's subscriptions
  // are read once per batch rather than once per event.
  let batch: { events: PlatformBusEvent[]; fannedOut: Promise<void> } | undefined;
  const nextBatch = () => {
    const events: PlatformBusEvent[] = [];
    const fannedOut = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      batch = undefined;
      await fanOutBatch(events, iam.deps({ subscriptions: parts.subscriptions, queue }));
    });
    return { events, fannedOut };
  };
  const fanOut = (event: PlatformBusEvent) => {
    batch ??= nextBatch();
    batch.events.push(event);
    // Each event's target ends with its batch, and fails with it: the bus logs what failed.
    return batch.fannedOut;
  };
  return { settings: { policy, secrets }, queue, fanOut };
}
