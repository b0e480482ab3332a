import { retryPipelineRoute } from '../../src/api/stacks';
import { idempotency, pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { bus } from '../../src/cloud/aws/events';
import { stacks } from '../../src/cloud/aws/stacks';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(retryPipelineRoute, {
  store,
  idempotency,
  pipelines: pipelineStore,
  workflows,
  stacks,
  bus,
});
