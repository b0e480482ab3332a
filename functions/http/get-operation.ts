import { getOperationRoute } from '../../src/api/operations';
import { store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getOperationRoute, { store });
