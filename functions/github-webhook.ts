import { routes } from '../src/api/units/githubWebhook';
import { pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { workflows } from '../src/cloud/aws/workflows';
import { httpRouter } from '../src/http/handler';

/** No JWT: GitHub signs each delivery with the stack's webhook secret (X-Hub-Signature-256). */
export const handler = httpRouter(routes, {
  store,
  pipelines: pipelineStore,
  workflows,
  platformSecrets,
  pipelineSettings,
});
