import { deleteStackRoute } from '../../src/api/stacks';
import { idempotency, store } from '../../src/cloud/aws/dynamodb';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { stacks } from '../../src/cloud/aws/stacks';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(deleteStackRoute, {
  store,
  idempotency,
  stacks,
  platformSecrets,
  pipelineSettings,
});
