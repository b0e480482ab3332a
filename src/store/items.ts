import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GSI1 } from './keys';
import { DEFAULT_PAGE_SIZE, decodeToken, encodeToken, type Page, type PageRequest } from './page';

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

export type UpdateExpression = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>;

/** An UpdateItem that answers the item as written, or undefined when its condition did not hold. */
export async function conditionalUpdate(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  expression: UpdateExpression,
): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({ TableName: tableName, Key: key, ReturnValues: 'ALL_NEW', ...expression }),
    );
    return out.Attributes;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export async function consistentGet(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  const out = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return out.Item;
}

/** One page of a partition's items whose sort key starts with `prefix`, in key order. */
export async function queryPrefixPage<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; prefix: string },
  page: PageRequest,
  ...storageOnly: string[]
): Promise<Page<T>> {
  const { pk, prefix } = key;
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      Limit: page.limit ?? DEFAULT_PAGE_SIZE,
      ExclusiveStartKey: decodeToken(page.nextToken, {
        partitionKey: 'pk',
        partition: pk,
        attributes: ['pk', 'sk'],
        sortKey: { name: 'sk', prefix },
      }),
    }),
  );
  return {
    items: (out.Items ?? []).map((i) => record<T>(i, ...storageOnly)!),
    nextToken: encodeToken(out.LastEvaluatedKey),
  };
}

/** One page of a GSI1 partition, in the order a list needs (see keys.ts). */
export async function queryIndexPage<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  page: PageRequest,
  order: 'oldest-first' | 'newest-first',
): Promise<Page<T>> {
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': partition },
      ScanIndexForward: order === 'oldest-first',
      Limit: page.limit ?? DEFAULT_PAGE_SIZE,
      ExclusiveStartKey: decodeToken(page.nextToken, {
        partitionKey: 'gsi1pk',
        partition,
        attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
      }),
    }),
  );
  return {
    items: (out.Items ?? []).map((i) => record<T>(i)!),
    nextToken: encodeToken(out.LastEvaluatedKey),
  };
}

/** A store on the one table, with the conditional update and consistent read its methods share. */
export abstract class TableStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  protected update(key: Record<string, string>, expression: UpdateExpression) {
    return conditionalUpdate(this.db, this.tableName, key, expression);
  }

  protected get(key: Record<string, string>) {
    return consistentGet(this.db, this.tableName, key);
  }
}
