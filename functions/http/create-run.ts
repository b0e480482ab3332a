import { createRunRoute } from '../../src/api/runs';
import { idempotency, pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { pipelineSettings } from '../../src/cloud/aws/pipeline-settings';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(createRunRoute, {
  store,
  idempotency,
  pipelines: pipelineStore,
  workflows,
  pipelineSettings,
});
