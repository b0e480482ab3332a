import { listDatabasesRoute } from '../../src/api/databases';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listDatabasesRoute, { store, databases });
