import { getBastionRoute } from '../../src/api/bastions';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getBastionRoute, { store, databases });
