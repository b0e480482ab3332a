import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../domain/errors';
import { keys } from './keys';

export interface StoredResponse {
  statusCode: number;
  body: string;
}

/** Stripe's window is 24 hours; keys are kept that long, checked in code (TTL deletes lazily). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** A claim older than this whose request never finished (the function crashed or timed out) can be taken over. */
export const IN_PROGRESS_LEASE_SECONDS = 60;

export type IdempotencyClaim = { kind: 'new' } | { kind: 'replay'; response: StoredResponse };

/**
 * Idempotency-Key records with Stripe's semantics: the first response is replayed for the same key
 * and body; the same key with another body is a 422; a repeat while the first is still running is
 * a 409. Only responses below 500 are kept, so a failed attempt can be retried.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    tenantId: string,
    key: string,
    fingerprint: string,
    now = Date.now(),
  ): Promise<IdempotencyClaim> {
    const item = {
      ...keys.idempotency(tenantId, key),
      fingerprint,
      state: 'IN_PROGRESS',
      createdAt: new Date(now).toISOString(),
      claimedAt: Math.floor(now / 1000),
      expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // An expired record is as good as none (TTL deletion can lag by days), and so is an
          // abandoned claim: otherwise a crash mid-request would block the key for a day.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :inProgress AND claimedAt < :staleBefore)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowSeconds': Math.floor(now / 1000),
            ':inProgress': 'IN_PROGRESS',
            ':staleBefore': Math.floor(now / 1000) - IN_PROGRESS_LEASE_SECONDS,
          },
        }),
      );
      return { kind: 'new' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.read(tenantId, key);
      if (!existing) return this.claim(tenantId, key, fingerprint, now);
      if (existing.fingerprint !== fingerprint) {
        throw new DomainError(
          422,
          'IdempotencyKeyReused',
          'this Idempotency-Key was used with a different request; use a new key for a new request',
          { field: 'Idempotency-Key' },
        );
      }
      if (existing.state !== 'COMPLETED' || !existing.response) {
        throw new DomainError(
          409,
          'RequestInProgress',
          'a request with this Idempotency-Key is still being processed',
          {
            field: 'Idempotency-Key',
          },
        );
      }
      return { kind: 'replay', response: existing.response };
    }
  }

  async complete(tenantId: string, key: string, response: StoredResponse): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.idempotency(tenantId, key),
        UpdateExpression: 'SET #state = :done, #response = :response',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'COMPLETED', ':response': response },
      }),
    );
  }

  async release(tenantId: string, key: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.idempotency(tenantId, key) }),
    );
  }

  private async read(tenantId: string, key: string) {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(tenantId, key),
        ConsistentRead: true,
      }),
    );
    return out.Item as { fingerprint: string; state: string; response?: StoredResponse } | undefined;
  }
}
