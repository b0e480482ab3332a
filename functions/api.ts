import { httpUnit } from '../src/api/routes';
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

/** The dashboard's everyday routes: the platform's own table and workflows (src/deploy/units.ts). */
export const handler = httpUnit('api', {
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
