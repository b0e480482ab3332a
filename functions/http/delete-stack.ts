import { deleteStackRoute } from '../../src/api/stacks';
import { idempotency, store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(deleteStackRoute, { store, idempotency });
