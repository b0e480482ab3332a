import * as z from 'zod/mini';
import { defineRoute } from '../http/route';
// Generated from every route by `npm run generate` (./openapi.ts).
import openApiJson from './openapi.json' with { type: 'json' };

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/v1/health',
  operationId: 'health',
  summary: 'Liveness check (no authentication)',
  tag: 'Meta',
  auth: 'none',
  unit: 'docs',
  permissions: [],
  responses: { 200: { description: 'OK', schema: z.object({ status: z.literal('ok') }) } },
  async handle() {
    return { statusCode: 200, body: { status: 'ok' } };
  },
});

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApi',
  summary: 'This API’s OpenAPI 3.1 document (no authentication)',
  tag: 'Meta',
  auth: 'none',
  unit: 'docs',
  permissions: [],
  responses: { 200: { description: 'The OpenAPI document' } },
  async handle() {
    return { statusCode: 200, body: openApiJson };
  },
});
