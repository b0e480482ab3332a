import { getDatabaseRoute } from '../../src/api/databases';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getDatabaseRoute, { store, databases });
