import { createStackRoute } from '../../src/api/stacks';
import { accounts } from '../../src/cloud/aws/accounts';
import { idempotency, pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { apiSettings } from '../../src/cloud/aws/settings';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(createStackRoute, {
  store,
  idempotency,
  accounts,
  settings: apiSettings,
  pipelines: pipelineStore,
  workflows,
  platformSecrets,
  pipelineSettings,
});
