import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../domain/errors';
import {
  DEAD_LETTER_RETENTION_DAYS,
  MAX_SUBSCRIPTIONS_PER_TENANT,
  type DeadLetter,
  type Subscription,
} from '../domain/subscription';
import { keys } from './keys';
import { DEFAULT_PAGE_SIZE, decodeToken, encodeToken, type Page, type PageRequest } from './page';
import { isConditionFailure, queryPrefixPage, record } from './items';

const SUB_PREFIX = 'SUB#';
const DEAD_LETTER_PREFIX = 'DL#';

/**
 * Subscriptions and their dead letters (keys in src/store/keys.ts). A tenant's subscriptions share
 * its partition under `SUB#`, so both the list route and the fan-out of every event are one Query;
 * a subscription's dead letters have a partition of their own, newest first by their time-ordered id.
 */
export class SubscriptionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes one of the tenant's subscription slots (a conditional counter), then writes the item; a
   * tenant at the limit gets a 409. If the write fails the slot is given back.
   */
  async create(subscription: Subscription, max = MAX_SUBSCRIPTIONS_PER_TENANT): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.subscriptionCount(subscription.tenantId),
          UpdateExpression: 'ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': max },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw conflict(`a tenant may have at most ${max} subscriptions: delete one first`, { limit: max });
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.subscription(subscription.tenantId, subscription.subscriptionId),
            kind: 'subscription',
            ...subscription,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      await this.releaseSlot(subscription.tenantId);
      throw error;
    }
  }

  async get(tenantId: string, subscriptionId: string): Promise<Subscription | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.subscription(tenantId, subscriptionId) }),
    );
    return record<Subscription>(out.Item, 'expiresAt');
  }

  async require(tenantId: string, subscriptionId: string): Promise<Subscription> {
    const subscription = await this.get(tenantId, subscriptionId);
    if (!subscription) throw notFound(`subscription ${subscriptionId}`);
    return subscription;
  }

  /** Oldest first (ids are time-ordered). */
  async list(tenantId: string, page: PageRequest): Promise<Page<Subscription>> {
    const pk = keys.subscription(tenantId, '').pk;
    return queryPrefixPage<Subscription>(
      this.db,
      this.tableName,
      { pk, prefix: SUB_PREFIX },
      page,
      'expiresAt',
    );
  }

  /** Every subscription of a tenant, for the fan-out of one event (a Query: the number is bounded). */
  async listAll(tenantId: string): Promise<Subscription[]> {
    const all: Subscription[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.list(tenantId, { limit: 100, nextToken });
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  /** Deleting a subscription stops its deliveries: queued ones find it gone and are dropped. */
  async delete(tenantId: string, subscriptionId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.subscription(tenantId, subscriptionId),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(`subscription ${subscriptionId}`);
      throw error;
    }
    await this.releaseSlot(tenantId);
  }

  private async releaseSlot(tenantId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.subscriptionCount(tenantId),
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  // ---- dead letters ------------------------------------------------------------------------------

  async putDeadLetter(deadLetter: DeadLetter, now = Date.now()): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.deadLetter(deadLetter.tenantId, deadLetter.subscriptionId, deadLetter.deadLetterId),
          kind: 'deadLetter',
          ...deadLetter,
          expiresAt: Math.floor(now / 1000) + DEAD_LETTER_RETENTION_DAYS * 24 * 60 * 60,
        },
      }),
    );
  }

  /** Newest first. */
  async listDeadLetters(
    tenantId: string,
    subscriptionId: string,
    page: PageRequest,
  ): Promise<Page<DeadLetter>> {
    const pk = keys.deadLetter(tenantId, subscriptionId, '').pk;
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': DEAD_LETTER_PREFIX },
        ScanIndexForward: false,
        Limit: page.limit ?? DEFAULT_PAGE_SIZE,
        ExclusiveStartKey: decodeToken(page.nextToken, {
          partitionKey: 'pk',
          partition: pk,
          attributes: ['pk', 'sk'],
          sortKey: { name: 'sk', prefix: DEAD_LETTER_PREFIX },
        }),
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => record<DeadLetter>(i, 'expiresAt')!),
      nextToken: encodeToken(out.LastEvaluatedKey),
    };
  }
}
