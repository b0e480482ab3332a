import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { rollbackStage } from '../app/deployments';
import {
  DEPLOYMENT_STATUSES,
  DEPLOYING_OPERATIONS,
  deployedSettingsView,
  type Deployment,
} from '../domain/deployment';
import { notFound } from '../domain/errors';
import { pageQuery } from '../domain/input/fields';
import { deploymentIdField, rollbackBody } from '../domain/input/deployment';
import { defineRoute } from '../http/route';
import { page, responses, stageParams } from './common';
import { operationAccepted, operationView, pageOf, settingsSchema } from './views';

const nullableString = z.nullable(z.string());

/** A deployment as clients see it: what was deployed, environment names only, and how it ended. */
export const deploymentView = (d: Deployment) => ({
  deploymentId: d.deploymentId,
  stackId: d.stackId,
  stageName: d.stageName,
  operationId: d.operationId,
  operationType: d.operationType,
  imageUri: d.imageUri,
  commit: d.commit ?? null,
  runId: d.runId ?? null,
  rollbackOf: d.rollbackOf ?? null,
  settings: deployedSettingsView(d.settings),
  status: d.status,
  reason: d.reason ?? null,
  startedAt: d.startedAt,
  endedAt: d.endedAt ?? null,
});

export const deploymentSchema = z.object({
  deploymentId: z.string(),
  stackId: z.string(),
  stageName: z.string(),
  /** The operation (a deploy-stage execution, or a database change's) that deployed it. */
  operationId: z.string(),
  operationType: z.enum(DEPLOYING_OPERATIONS as [string, ...string[]]),
  imageUri: z.string(),
  /** The commit the image was built from, when known. */
  commit: nullableString,
  /** The pipeline run that deployed it. */
  runId: nullableString,
  /** The deployment this one restored (a rollback). */
  rollbackOf: nullableString,
  /**
   * What it was deployed with: the stage's settings, with the names of its environment variables
   * (never their values). A setting added since it was recorded is absent.
   */
  settings: z.object({
    ...z.partial(z.omit(settingsSchema, { environment: true })).shape,
    environmentNames: z.array(z.string()),
  }),
  /** ROLLED_BACK: CloudFormation undid the update, and the stage runs the deployment before it. */
  status: z.enum(DEPLOYMENT_STATUSES),
  /** Why it failed or rolled back: the first failed resource of the stack's events. */
  reason: nullableString,
  startedAt: z.string(),
  endedAt: nullableString,
});

const deploymentParams = z.strictObject({ ...stageParams.shape, deploymentId: deploymentIdField });

export const listDeploymentsRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/deployments',
  operationId: 'listDeployments',
  summary:
    'A stage’s deployments, newest first: every create or update of its stack (pipeline runs, settings changes, rollbacks, database changes) with its image, settings and outcome',
  tag: 'Deployments',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'index:query'],
  params: stageParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of deployments', schema: pageOf(deploymentSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const { stackId, stageName } = req.params;
    const stage = await deps.store.requireStage(req.caller.tenantId, stackId, stageName);
    const result = await deps.store.deployments.list(stage, req.query);
    return { statusCode: 200, body: page(result.items.map(deploymentView), result.nextToken) };
  },
});

export const getDeploymentRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/deployments/{deploymentId}',
  operationId: 'getDeployment',
  summary: 'One deployment of a stage (the one a Deployment Status Change event names)',
  tag: 'Deployments',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: deploymentParams,
  responses: responses({ 200: { description: 'The deployment', schema: deploymentSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const { stackId, stageName, deploymentId } = req.params;
    const stage = await deps.store.requireStage(req.caller.tenantId, stackId, stageName);
    const found = await deps.store.deployments.find(req.caller.tenantId, stackId, deploymentId);
    if (!found || found.stageName !== stage.name || found.stageCreatedAt !== stage.createdAt)
      throw notFound(`deployment ${deploymentId}`);
    return { statusCode: 200, body: deploymentView(found) };
  },
});

export const rollbackStageRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages/{stageName}/rollback',
  operationId: 'rollbackStage',
  summary:
    'Redeploy a deployment that succeeded (its image and settings, without a build) as a stack update: a new deployment whose rollbackOf names it',
  tag: 'Deployments',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'workflows:start'],
  idempotent: true,
  params: stageParams,
  body: rollbackBody,
  responses: responses(
    { 202: { description: 'The operation that redeploys it', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'workflows'>) {
    const { stackId, stageName } = req.params;
    const operation = await rollbackStage(deps, req.caller, stackId, stageName, req.body.deploymentId);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});
