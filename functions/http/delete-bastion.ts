import { deleteBastionRoute } from '../../src/api/bastions';
import { databases, idempotency, store } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(deleteBastionRoute, { store, idempotency, workflows, databases });
