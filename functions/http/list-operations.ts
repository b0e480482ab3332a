import { listOperationsRoute } from '../../src/api/operations';
import { store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listOperationsRoute, { store });
