import { createStageRoute } from '../../src/api/stages';
import { databases, idempotency, store } from '../../src/cloud/aws/dynamodb';
import { apiSettings } from '../../src/cloud/aws/settings';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(createStageRoute, {
  store,
  idempotency,
  workflows,
  settings: apiSettings,
  databases,
});
