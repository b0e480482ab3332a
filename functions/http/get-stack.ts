import { getStackRoute } from '../../src/api/stacks';
import { store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getStackRoute, { store });
