import * as z from 'zod/mini';
import { externalIdFor } from '../app/accounts';
import type { ApiDeps } from '../app/deps';
import { eventForwardingRule, permissionsPolicy, trustPolicy } from '../domain/customer-role';
import { defineRoute } from '../http/route';
import { responses } from './common';

// Apart from ./meta.ts: the OpenAPI document it imports (150 KB) would ride along in the api unit.
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
