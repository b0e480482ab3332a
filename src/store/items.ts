import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write that lost: the invariant it guards held someone else's way. */
export const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Strips the key attributes (and any other storage-only ones named) so records leave the store as
 * plain domain objects.
 */
export function record<T>(
  item: Record<string, unknown> | undefined,
  ...storageOnly: string[]
): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, ...rest } = item;
  for (const name of storageOnly) delete rest[name];
  return rest as T;
}
