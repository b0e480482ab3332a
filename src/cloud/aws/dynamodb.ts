import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyStore } from '../../store/idempotency';
import { StackWaitStore } from '../../store/stack-waits';
import { Store } from '../../store/store';
import { requireEnv } from './env';

const tableName = requireEnv('TABLE_NAME');

/**
 * Domain records carry optional fields; dropping `undefined` lets them be written as they are
 * instead of failing marshalling.
 */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const store = new Store(documentClient, tableName);
export const idempotency = new IdempotencyStore(documentClient, tableName);
export const waits = new StackWaitStore(documentClient, tableName);
