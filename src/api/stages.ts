import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { targetOf } from '../app/accounts';
import { createStage, deleteStage, updateStage } from '../app/stages';
import { nextToken, pageQuery } from '../domain/input/fields';
import { createStageBody, updateStageBody } from '../domain/input/stage';
import { defineRoute } from '../http/route';
import { foreignToken, page, responses, stackParams, stageParams } from './common';
import { operationAccepted, operationView, pageOf, stageSchema, stageView } from './views';

type StageDeps = Pick<ApiDeps, 'store' | 'workflows' | 'settings' | 'databases'>;

export const createStageRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages',
  operationId: 'createStage',
  summary: 'Add a stage; starts the create-stage workflow',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'workflows:start'],
  idempotent: true,
  params: stackParams,
  body: createStageBody,
  responses: responses(
    { 202: { description: 'The operation that creates the stage', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: StageDeps) {
    const operation = await createStage(deps, req.caller, req.params.stackId, req.body);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const listStagesRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages',
  operationId: 'listStages',
  summary: 'List a stack’s stages in creation order (the order a push moves through them)',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'index:query'],
  params: stackParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of stages', schema: pageOf(stageSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    await deps.store.requireStack(req.caller.tenantId, req.params.stackId);
    const result = await deps.store.listStages(req.caller.tenantId, req.params.stackId, req.query);
    return { statusCode: 200, body: page(result.items.map(stageView), result.nextToken) };
  },
});

export const getStageRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}',
  operationId: 'getStage',
  summary: 'Get a stage: status, settings, URL and the names of the variables its service receives',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: stageParams,
  responses: responses({ 200: { description: 'The stage', schema: stageSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const stage = await deps.store.requireStage(
      req.caller.tenantId,
      req.params.stackId,
      req.params.stageName,
    );
    return { statusCode: 200, body: stageView(stage) };
  },
});

export const updateStageRoute = defineRoute({
  method: 'PATCH',
  path: '/v1/stacks/{stackId}/stages/{stageName}',
  operationId: 'updateStage',
  summary: 'Change a stage’s settings; each given setting is replaced whole and the stage is rebuilt',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'api',
  // index:query, table:put, workflows:resume: a change joining a deploy waiting for approval (issue 13 §3)
  permissions: ['idempotency', 'workflows:start', 'index:query', 'table:put', 'workflows:resume'],
  idempotent: true,
  params: stageParams,
  body: updateStageBody,
  responses: responses(
    { 202: { description: 'The operation that rebuilds the stage', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: StageDeps & Pick<ApiDeps, 'approvals' | 'pipelines'>) {
    const { stackId, stageName } = req.params;
    const operation = await updateStage(deps, req.caller, stackId, stageName, req.body);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const deleteStageRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/stacks/{stackId}/stages/{stageName}',
  operationId: 'deleteStage',
  summary: 'Delete a stage; its CloudFormation stack is torn down',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'table:query', 'workflows:start'],
  idempotent: true,
  params: stageParams,
  responses: responses(
    { 202: { description: 'The operation that deletes the stage', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: StageDeps) {
    const operation = await deleteStage(deps, req.caller, req.params.stackId, req.params.stageName);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

const logLine = z.object({ timestamp: z.string(), message: z.string() });

export const stageLogsRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/logs',
  operationId: 'getStageLogs',
  summary: 'Read a stage’s application log or access log (CloudWatch Logs), oldest first',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'customerApi',
  permissions: ['table:read', 'customerAccounts:use'],
  params: stageParams,
  query: z.strictObject({
    type: z.optional(z.enum(['app', 'access'])),
    since: z.optional(z.iso.datetime('must be an ISO 8601 time such as 2026-01-31T12:00:00Z')),
    limit: z.optional(
      z.coerce
        .number()
        .check(
          z.int('must be an integer'),
          z.minimum(1, 'must be at least 1'),
          z.maximum(1000, 'must be at most 1000'),
        ),
    ),
    nextToken,
  }),
  responses: responses(
    {
      200: {
        description: 'Log lines',
        schema: z.object({
          type: z.string(),
          logGroupName: z.nullable(z.string()),
          lines: z.array(logLine),
          nextToken: z.nullable(z.string()),
        }),
      },
    },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'logs'>) {
    const { stackId, stageName } = req.params;
    const stack = await deps.store.requireStack(req.caller.tenantId, stackId);
    const stage = await deps.store.requireStage(req.caller.tenantId, stackId, stageName);
    const type = req.query.type ?? 'app';
    const logGroupName = stage.outputs[type === 'app' ? 'AppLogGroupName' : 'AccessLogGroupName'];
    if (!logGroupName)
      return { statusCode: 200, body: { type, logGroupName: null, lines: [], nextToken: null } };
    const target = await targetOf(deps, stack.tenantId, { roleArn: stack.roleArn, region: stage.region });
    const result = await deps.logs.read(target, logGroupName, {
      since: req.query.since,
      limit: req.query.limit ?? 100,
      nextToken: foreignToken.decode(req.query.nextToken, logGroupName),
    });
    return {
      statusCode: 200,
      body: {
        type,
        logGroupName,
        lines: result.lines,
        nextToken: foreignToken.encode(result.nextToken, logGroupName),
      },
    };
  },
});

const stackEvent = z.object({
  timestamp: z.string(),
  stackName: z.string(),
  logicalId: z.string(),
  resourceType: z.string(),
  status: z.string(),
  reason: z.optional(z.string()),
});

export const stageStackEventsRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/stack-events',
  operationId: 'getStageStackEvents',
  summary: 'The CloudFormation events of the stage’s stack, newest first, for troubleshooting',
  tag: 'Stages',
  auth: 'jwt',
  unit: 'customerApi',
  permissions: ['table:read', 'customerAccounts:use'],
  params: stageParams,
  query: z.strictObject({ nextToken }),
  responses: responses(
    {
      200: {
        description: 'Stack events',
        schema: z.object({ items: z.array(stackEvent), nextToken: z.nullable(z.string()) }),
      },
    },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'stacks'>) {
    const { stackId, stageName } = req.params;
    const stack = await deps.store.requireStack(req.caller.tenantId, stackId);
    const stage = await deps.store.requireStage(req.caller.tenantId, stackId, stageName);
    const target = await targetOf(deps, stack.tenantId, { roleArn: stack.roleArn, region: stage.region });
    const next = foreignToken.decode(req.query.nextToken, stage.cfnStackName);
    const result = await deps.stacks.listEvents(target, stage.cfnStackName, next);
    return {
      statusCode: 200,
      body: { items: result.events, nextToken: foreignToken.encode(result.nextToken, stage.cfnStackName) },
    };
  },
});
