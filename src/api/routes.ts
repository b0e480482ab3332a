import type { ApiDeps } from '../app/deps';
import type { HttpUnit } from '../deploy/units';
import { httpRouter, type HttpDeps } from '../http/handler';
import type { AnyRoute, Route } from '../http/route';
import { decideApprovalRoute, getApprovalRoute, listApprovalsRoute } from './approvals';
import { createRunRoute, getRunRoute, listRunsRoute } from './runs';
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
import { healthRoute, roleSetupRoute } from './meta';
import { getOperationRoute, listOperationsRoute } from './operations';
import { openApiRoute } from './openapi';
import { createStackRoute, deleteStackRoute, getStackRoute, listStacksRoute } from './stacks';
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
 * Every HTTP route, documented in OpenAPI and served by its unit's function (src/deploy/units.ts);
 * the embedded runtime serves the same table.
 */
const declared = [
  healthRoute,
  openApiRoute,
  roleSetupRoute,
  createStackRoute,
  listStacksRoute,
  getStackRoute,
  deleteStackRoute,
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
  githubWebhookRoute,
  slackInteractionsRoute,
  getApprovalRoute,
  decideApprovalRoute,
  listApprovalsRoute,
] as const;

export const routes = declared as readonly ApiRoute[];

type DeclaredRoute = (typeof declared)[number];
/** A route's deps; a route that takes none (health) adds nothing. */
type DepsOf<R> = R extends { handle(req: never, deps: infer D): unknown }
  ? unknown extends D
    ? Record<never, never>
    : D
  : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** What a unit's routes need, together: its entry point (functions/) gives exactly this. */
export type RouteUnitDeps<U extends HttpUnit> = Intersection<DepsOf<Extract<DeclaredRoute, { unit: U }>>>;

export const routesOf = (unit: HttpUnit): AnyRoute[] =>
  routes.filter((route) => route.unit === unit) as unknown as AnyRoute[];

/** An HTTP unit's handler: the unit's routes, found by API Gateway's routeKey (src/http/handler.ts). */
export function httpUnit<U extends HttpUnit>(unit: U, deps: RouteUnitDeps<U> & HttpDeps) {
  return httpRouter(routesOf(unit), deps);
}
