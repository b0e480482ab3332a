import * as z from 'zod/mini';
import { retryPipeline } from '../app/pipeline-retry';
import { webhookUrlOf } from '../app/pipelines';
import { createStack, deleteStack } from '../app/stacks';
import type { ApiDeps } from '../app/deps';
import { pageQuery } from '../domain/input/fields';
import { createStackBody } from '../domain/input/stack';
import { defineRoute } from '../http/route';
import { page, responses, stackParams } from './common';
import { operationAccepted, operationView, pageOf, stackSchema, stackView } from './views';

export const createStackRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks',
  operationId: 'createStack',
  summary: 'Create a stack: a GitHub repository and branch deployed through ordered stages',
  tag: 'Stacks',
  auth: 'jwt',
  unit: 'customerApi',
  permissions: [
    'idempotency',
    'tenant:profile',
    'customerAccounts:verify',
    'workflows:start',
    'platformSecrets:create',
  ],
  idempotent: true,
  shownOnce: ['webhookSecret'],
  body: createStackBody,
  responses: responses(
    {
      201: {
        description:
          'The stack, with the GitHub webhook to add to the repository: its URL, and its secret (shown once)',
        schema: z.object({
          ...stackSchema.shape,
          webhookUrl: z.string(),
          webhookSecret: z.nullable(z.string()),
        }),
      },
    },
    [400, 401, 409, 422],
  ),
  async handle(
    req,
    deps: Pick<
      ApiDeps,
      'store' | 'accounts' | 'settings' | 'pipelines' | 'workflows' | 'platformSecrets' | 'pipelineSettings'
    >,
  ) {
    const { stack, webhookSecret } = await createStack(deps, req.caller, req.body);
    return {
      statusCode: 201,
      body: {
        ...stackView(stack),
        webhookUrl: webhookUrlOf(deps.pipelineSettings, stack.stackId),
        webhookSecret,
      },
    };
  },
});

export const listStacksRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks',
  operationId: 'listStacks',
  summary: 'List the caller’s stacks, oldest first',
  tag: 'Stacks',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:query'],
  query: pageQuery,
  responses: responses({ 200: { description: 'A page of stacks', schema: pageOf(stackSchema) } }, [400, 401]),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const result = await deps.store.listStacks(req.caller.tenantId, req.query);
    return { statusCode: 200, body: page(result.items.map(stackView), result.nextToken) };
  },
});

export const getStackRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}',
  operationId: 'getStack',
  summary: 'Get a stack',
  tag: 'Stacks',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: stackParams,
  responses: responses({ 200: { description: 'The stack', schema: stackSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const stack = await deps.store.requireStack(req.caller.tenantId, req.params.stackId);
    return { statusCode: 200, body: stackView(stack) };
  },
});

export const deleteStackRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/stacks/{stackId}',
  operationId: 'deleteStack',
  summary:
    'Delete a stack that has no stages left: an operation that deletes its build pipeline’s CloudFormation stack, then its records (409 while it has stages, or its pipeline, a run or another deletion is under way)',
  tag: 'Stacks',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'index:query', 'workflows:start'],
  idempotent: true,
  params: stackParams,
  responses: responses(
    { 202: { description: 'The operation that deletes the stack', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows'>) {
    const operation = await deleteStack(deps, req.caller, req.params.stackId);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const retryPipelineRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/pipeline/retry',
  operationId: 'retryPipeline',
  summary:
    'Create again a build pipeline whose creation failed (its CloudFormation stack is checked first: 409 while it is busy)',
  tag: 'Stacks',
  auth: 'jwt',
  unit: 'customerApi',
  permissions: ['idempotency', 'customerAccounts:use', 'workflows:start', 'events:publish'],
  idempotent: true,
  params: stackParams,
  body: z.strictObject({}),
  responses: responses(
    {
      200: {
        description: 'Its stack had been created after all: the pipeline is ACTIVE',
        schema: stackSchema,
      },
      202: {
        description: 'The create-pipeline workflow started again: the pipeline is CREATING',
        schema: stackSchema,
      },
    },
    [400, 401, 404, 409],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows' | 'stacks' | 'bus'>) {
    const { stack, started } = await retryPipeline(deps, req.caller.tenantId, req.params.stackId);
    return { statusCode: started ? 202 : 200, body: stackView(stack) };
  },
});
