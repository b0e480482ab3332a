import type { ApiDeps } from '../app/deps';
import type { Route } from '../http/route';
import { roleSetupRoute } from './account';
import { decideApprovalRoute, getApprovalRoute, listApprovalsRoute } from './approvals';
import { createRunRoute, getRunRoute, listRunsRoute } from './runs';
import { overrideWindowRoute } from './deploy-windows';
import { getDeploymentRoute, listDeploymentsRoute, rollbackStageRoute } from './deployments';
import { githubWebhookRoute, slackInteractionsRoute } from './webhooks';
import {
  createBastionRoute,
  deleteBastionRoute,
  getBastionPrivateKeyRoute,
  getBastionRoute,
} from './bastions';
import {
  addDatabaseRoute,
  changeDatabasePasswordRoute,
  deleteDatabaseRoute,
  getDatabaseRoute,
  getDatabaseSecretRoute,
  listDatabasesRoute,
  promoteDatabaseRoute,
  updateDatabaseRoute,
} from './databases';
import { healthRoute, openApiRoute } from './meta';
import { getOperationRoute, listOperationsRoute } from './operations';
import {
  createStackRoute,
  deleteStackRoute,
  getStackRoute,
  listStacksRoute,
  retryPipelineRoute,
} from './stacks';
import {
  createSubscriptionRoute,
  deleteSubscriptionRoute,
  getSubscriptionRoute,
  listSubscriptionDeadLettersRoute,
  listSubscriptionsRoute,
} from './subscriptions';
import {
  createStageRoute,
  deleteStageRoute,
  getStageRoute,
  listStagesRoute,
  stageLogsRoute,
  stageStackEventsRoute,
  updateStageRoute,
} from './stages';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiRoute = Route<ApiDeps, any, any, any>;

/**
 * Every HTTP route, documented in OpenAPI and served by its unit's function (src/deploy/units.ts;
 * `npm run generate` writes each unit's list, src/api/units/<unit>.ts); the embedded runtime serves
 * the same table.
 */
export const routes = [
  healthRoute,
  openApiRoute,
  roleSetupRoute,
  createStackRoute,
  listStacksRoute,
  getStackRoute,
  deleteStackRoute,
  retryPipelineRoute,
  createStageRoute,
  listStagesRoute,
  getStageRoute,
  updateStageRoute,
  deleteStageRoute,
  stageLogsRoute,
  stageStackEventsRoute,
  getOperationRoute,
  listOperationsRoute,
  createSubscriptionRoute,
  listSubscriptionsRoute,
  getSubscriptionRoute,
  deleteSubscriptionRoute,
  listSubscriptionDeadLettersRoute,
  addDatabaseRoute,
  listDatabasesRoute,
  getDatabaseRoute,
  updateDatabaseRoute,
  deleteDatabaseRoute,
  getDatabaseSecretRoute,
  changeDatabasePasswordRoute,
  promoteDatabaseRoute,
  createBastionRoute,
  getBastionRoute,
  deleteBastionRoute,
  getBastionPrivateKeyRoute,
  listRunsRoute,
  getRunRoute,
  createRunRoute,
  overrideWindowRoute,
  githubWebhookRoute,
  slackInteractionsRoute,
  getApprovalRoute,
  decideApprovalRoute,
  listApprovalsRoute,
  listDeploymentsRoute,
  getDeploymentRoute,
  rollbackStageRoute,
] as ApiRoute[];
