import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { externalIdFor } from '../app/accounts';
import { eventForwardingRule, permissionsPolicy, trustPolicy } from '../domain/customer-role';
import { defineRoute } from '../http/route';
import { responses } from './common';
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

export const roleSetupRoute = defineRoute({
  method: 'GET',
  path: '/v1/account/role-setup',
  operationId: 'getRoleSetup',
  summary:
    'The IAM role to create in your AWS account: trust policy (with your external id), permissions, event forwarding',
  tag: 'Account',
  auth: 'jwt',
  unit: 'api',
  permissions: ['tenant:profile'],
  responses: responses(
    {
      200: {
        description: 'Role setup',
        schema: z.object({
          externalId: z.string(),
          trustPolicy: z.unknown(),
          permissionsPolicy: z.unknown(),
          eventForwardingRule: z.unknown(),
        }),
      },
    },
    [401],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'settings'>) {
    const externalId = await externalIdFor(deps, req.caller.tenantId);
    const { platformPrincipalArn, verifierPrincipalArn, eventBusArn } = deps.settings;
    return {
      statusCode: 200,
      body: {
        externalId,
        trustPolicy: trustPolicy(platformPrincipalArn, verifierPrincipalArn, externalId),
        permissionsPolicy,
        eventForwardingRule: eventForwardingRule(eventBusArn),
      },
    };
  },
});
