import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApprovalStore } from '../../store/approvals';
import { DatabaseStore } from '../../store/databases';
import { IdempotencyStore } from '../../store/idempotency';
import { PipelineStore } from '../../store/pipelines';
import { StackWaitStore } from '../../store/stack-waits';
import { Store } from '../../store/store';
import { SubscriptionStore } from '../../store/subscriptions';
import { requireEnv } from './env';

const tableName = requireEnv('TABLE_NAME');

/**
 * Domain records carry optional fields; dropping `undefined` lets them be written as they are
 * instead of failing marshalling.
 */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

// Pure: a bundle keeps only the stores its function uses (the rest, and their code, are shaken out).
export const store = /* @__PURE__ */ new Store(documentClient, tableName);
export const idempotency = /* @__PURE__ */ new IdempotencyStore(documentClient, tableName);
export const waits = /* @__PURE__ */ new StackWaitStore(documentClient, tableName);
export const subscriptions = /* @__PURE__ */ new SubscriptionStore(documentClient, tableName);
export const databases = /* @__PURE__ */ new DatabaseStore(documentClient, tableName);
export const pipelineStore = /* @__PURE__ */ new PipelineStore(documentClient, tableName);
export const approvalStore = /* @__PURE__ */ new ApprovalStore(documentClient, tableName);
