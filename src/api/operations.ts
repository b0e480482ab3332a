import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { notFound } from '../domain/errors';
import { pageQuery } from '../domain/input/fields';
import { defineRoute } from '../http/route';
import { page, responses, stackParams } from './common';
import { operationSchema, operationView, pageOf } from './views';

export const getOperationRoute = defineRoute({
  method: 'GET',
  path: '/v1/operations/{operationId}',
  operationId: 'getOperation',
  summary: 'Get an operation: PENDING → RUNNING → SUCCEEDED | FAILED, with the reason when it failed',
  tag: 'Operations',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: z.strictObject({
    operationId: z.string().check(z.regex(/^op_[0-9a-z]{26}$/, 'is not an operation id')),
  }),
  responses: responses({ 200: { description: 'The operation', schema: operationSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    const operation = await deps.store.getOperation(req.caller.tenantId, req.params.operationId);
    if (!operation) throw notFound(`operation ${req.params.operationId}`);
    return { statusCode: 200, body: operationView(operation) };
  },
});

export const listOperationsRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/operations',
  operationId: 'listOperations',
  summary: 'List a stack’s operations, newest first',
  tag: 'Operations',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'index:query'],
  params: stackParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of operations', schema: pageOf(operationSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store'>) {
    await deps.store.requireStack(req.caller.tenantId, req.params.stackId);
    const result = await deps.store.listOperations(req.caller.tenantId, req.params.stackId, req.query);
    return { statusCode: 200, body: page(result.items.map(operationView), result.nextToken) };
  },
});
