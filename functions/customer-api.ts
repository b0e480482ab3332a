import { routes } from '../src/api/units/customerApi';
import { accounts } from '../src/cloud/aws/accounts';
import { idempotency, pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { bus } from '../src/cloud/aws/events';
import { logs } from '../src/cloud/aws/logs';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { apiSettings } from '../src/cloud/aws/settings';
import { stacks } from '../src/cloud/aws/stacks';
import { workflows } from '../src/cloud/aws/workflows';
import { httpRouter } from '../src/http/handler';

/** Routes that work in the customer's account; this function's role is the verifier principal. */
export const handler = httpRouter(routes, {
  store,
  idempotency,
  accounts,
  settings: apiSettings,
  pipelines: pipelineStore,
  workflows,
  platformSecrets,
  pipelineSettings,
  stacks,
  logs,
  bus,
});
