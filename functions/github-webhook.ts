import { httpUnit } from '../src/api/routes';
import { pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { workflows } from '../src/cloud/aws/workflows';

/** No JWT: GitHub signs each delivery with the stack's webhook secret (X-Hub-Signature-256). */
export const handler = httpUnit('githubWebhook', {
  store,
  pipelines: pipelineStore,
  workflows,
  platformSecrets,
  pipelineSettings,
});
