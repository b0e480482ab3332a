import { routes } from '../src/api/units/api';
import {
  approvalStore,
  databases,
  idempotency,
  pipelineStore,
  store,
  subscriptions,
} from '../src/cloud/aws/dynamodb';
import { pipelineSettings } from '../src/cloud/aws/pipeline-settings';
import { apiSettings } from '../src/cloud/aws/settings';
import { workflows } from '../src/cloud/aws/workflows';
import { httpRouter } from '../src/http/handler';

/** The dashboard's everyday routes: the platform's own table and workflows (src/deploy/units.ts). */
export const handler = httpRouter(routes, {
  store,
  idempotency,
  workflows,
  settings: apiSettings,
  databases,
  subscriptions,
  pipelines: pipelineStore,
  approvals: approvalStore,
  pipelineSettings,
});
