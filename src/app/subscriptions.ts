import { badRequest } from '../domain/errors';
import { newId } from '../domain/ids';
import type { DeadLetter, Subscription } from '../domain/subscription';
import type { CreateSubscriptionBody } from '../domain/input/subscription';
import type { Caller } from '../domain/caller';
import type { Page, PageRequest } from '../store/page';
import type { SubscriptionStore } from '../store/subscriptions';
import { subscriptionSecretContext, type SecretBox } from '../domain/secret-box';
import { checkWebhookTarget, type TargetPolicy } from '../domain/webhook-guard';
import { newWebhookSecret } from '../domain/webhook-signature';

/** What creating a subscription needs besides the store: where URLs may point, and the key that seals secrets. */
export interface WebhookSettings {
  policy: TargetPolicy;
  secrets: SecretBox;
}

export interface SubscriptionDeps {
  subscriptions: SubscriptionStore;
  webhooks: WebhookSettings;
}

/**
 * Creates a subscription. The URL is refused (400 on `url`) unless it is https and its host
 * resolves only to public addresses; the signing secret is returned here, once, and stored sealed.
 */
export async function createSubscription(
  deps: SubscriptionDeps,
  caller: Caller,
  body: CreateSubscriptionBody,
): Promise<{ subscription: Subscription; secret: string }> {
  const target = await checkWebhookTarget(body.url, deps.webhooks.policy);
  if (!target.ok) throw badRequest('url', `url ${target.reason}`);
  const url = new URL(body.url);
  url.hash = '';
  const subscriptionId = newId('sub');
  const secret = newWebhookSecret();
  const subscription: Subscription = {
    tenantId: caller.tenantId,
    subscriptionId,
    url: url.toString(),
    events: body.events ?? null,
    sealedSecret: await deps.webhooks.secrets.seal(
      secret,
      subscriptionSecretContext(caller.tenantId, subscriptionId),
    ),
    createdBy: caller.userId,
    createdAt: new Date().toISOString(),
  };
  await deps.subscriptions.create(subscription);
  return { subscription, secret };
}

/** A subscription's dead letters, newest first; 404 for a subscription that is not the caller's. */
export async function listDeadLetters(
  deps: Pick<SubscriptionDeps, 'subscriptions'>,
  caller: Caller,
  subscriptionId: string,
  page: PageRequest,
): Promise<Page<DeadLetter>> {
  await deps.subscriptions.require(caller.tenantId, subscriptionId);
  return deps.subscriptions.listDeadLetters(caller.tenantId, subscriptionId, page);
}
