import { deleteDatabaseRoute } from '../../src/api/databases';
import { databases, idempotency, store } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(deleteDatabaseRoute, { store, idempotency, workflows, databases });
