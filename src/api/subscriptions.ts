import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { createSubscription, listDeadLetters } from '../app/subscriptions';
import { DETAIL_TYPES } from '../domain/events';
import { pageQuery } from '../domain/input/fields';
import type { DeadLetter, Subscription } from '../domain/subscription';
import { createSubscriptionBody } from '../domain/input/subscription';
import { defineRoute } from '../http/route';
import { page, responses } from './common';
import { pageOf } from './views';

export const subscriptionParams = z.strictObject({
  subscriptionId: z.string().check(z.regex(/^sub_[0-9a-z]{26}$/, 'is not a subscription id')),
});

/** What clients see of a subscription: never its secret, which only the create response carries. */
export const subscriptionView = (s: Subscription) => ({
  subscriptionId: s.subscriptionId,
  url: s.url,
  events: s.events,
  createdAt: s.createdAt,
});

export const deadLetterView = (d: DeadLetter) => ({
  deadLetterId: d.deadLetterId,
  subscriptionId: d.subscriptionId,
  eventId: d.eventId,
  detailType: d.detailType,
  url: d.url,
  attempts: d.attempts,
  lastError: d.lastError,
  enqueuedAt: d.enqueuedAt,
  failedAt: d.failedAt,
  event: d.event,
});

export const subscriptionSchema = z.object({
  subscriptionId: z.string(),
  url: z.string(),
  /** null: every detail-type, including those added later. */
  events: z.nullable(z.array(z.enum(DETAIL_TYPES))),
  createdAt: z.string(),
});

const createdSubscriptionSchema = z.object({
  ...subscriptionSchema.shape,
  /** The signing secret: shown in this response only. */
  secret: z.string(),
});

export const deadLetterSchema = z.object({
  deadLetterId: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  detailType: z.string(),
  url: z.string(),
  attempts: z.number(),
  lastError: z.string(),
  enqueuedAt: z.string(),
  failedAt: z.string(),
  event: z.record(z.string(), z.unknown()),
});

/**
 * Not idempotent on purpose: the response carries the secret, and a replayable response would have
 * to be stored with it in clear. A client that lost a create response deletes the extra subscription.
 */
export const createSubscriptionRoute = defineRoute({
  method: 'POST',
  path: '/v1/subscriptions',
  operationId: 'createSubscription',
  summary:
    'Subscribe an HTTPS endpoint to your events: signed webhooks, retried with backoff, dead-lettered after the last attempt. The signing secret is in this response only.',
  tag: 'Subscriptions',
  auth: 'jwt',
  unit: 'credentials',
  permissions: ['table:put', 'table:update', 'subscriptionKey:use'],
  body: createSubscriptionBody,
  responses: responses(
    { 201: { description: 'The subscription, with its signing secret', schema: createdSubscriptionSchema } },
    [400, 401, 409],
  ),
  async handle(req, deps: Pick<ApiDeps, 'subscriptions' | 'webhooks'>) {
    const { subscription, secret } = await createSubscription(deps, req.caller, req.body);
    return { statusCode: 201, body: { ...subscriptionView(subscription), secret } };
  },
});

export const listSubscriptionsRoute = defineRoute({
  method: 'GET',
  path: '/v1/subscriptions',
  operationId: 'listSubscriptions',
  summary: 'List your subscriptions, oldest first',
  tag: 'Subscriptions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:query'],
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of subscriptions', schema: pageOf(subscriptionSchema) } },
    [400, 401],
  ),
  async handle(req, deps: Pick<ApiDeps, 'subscriptions'>) {
    const result = await deps.subscriptions.list(req.caller.tenantId, req.query);
    return { statusCode: 200, body: page(result.items.map(subscriptionView), result.nextToken) };
  },
});

export const getSubscriptionRoute = defineRoute({
  method: 'GET',
  path: '/v1/subscriptions/{subscriptionId}',
  operationId: 'getSubscription',
  summary: 'Get a subscription (without its secret)',
  tag: 'Subscriptions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: subscriptionParams,
  responses: responses(
    { 200: { description: 'The subscription', schema: subscriptionSchema } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'subscriptions'>) {
    const subscription = await deps.subscriptions.require(req.caller.tenantId, req.params.subscriptionId);
    return { statusCode: 200, body: subscriptionView(subscription) };
  },
});

export const deleteSubscriptionRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/subscriptions/{subscriptionId}',
  operationId: 'deleteSubscription',
  summary: 'Delete a subscription: deliveries still queued for it are dropped',
  tag: 'Subscriptions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency'],
  idempotent: true,
  params: subscriptionParams,
  responses: responses({ 204: { description: 'Deleted' } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'subscriptions'>) {
    await deps.subscriptions.delete(req.caller.tenantId, req.params.subscriptionId);
    return { statusCode: 204 };
  },
});

export const listSubscriptionDeadLettersRoute = defineRoute({
  method: 'GET',
  path: '/v1/subscriptions/{subscriptionId}/dead-letters',
  operationId: 'listSubscriptionDeadLetters',
  summary:
    'Deliveries that failed every attempt, newest first: the event, the last error, the number of attempts (kept 30 days)',
  tag: 'Subscriptions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'table:query'],
  params: subscriptionParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of dead letters', schema: pageOf(deadLetterSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'subscriptions'>) {
    const result = await listDeadLetters(deps, req.caller, req.params.subscriptionId, req.query);
    return { statusCode: 200, body: page(result.items.map(deadLetterView), result.nextToken) };
  },
});
