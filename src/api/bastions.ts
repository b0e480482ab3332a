import * as z from 'zod/mini';
import { deleteBastion, describeBastion, downloadBastionKey, provisionBastion } from '../app/bastions';
import type { ApiDeps } from '../app/deps';
import { BASTION_STATUSES } from '../domain/bastion';
import { bastionBody } from '../domain/input/bastion';
import { defineRoute } from '../http/route';
import { responses, stageParams } from './common';
import { operationAccepted, operationView } from './views';

type MutationDeps = Pick<ApiDeps, 'store' | 'workflows' | 'databases'>;

const nullableString = z.nullable(z.string());

const bastionSchema = z.object({
  stageName: z.string(),
  status: z.enum(BASTION_STATUSES),
  host: nullableString,
  user: z.string(),
  allowedCidrs: z.array(z.string()),
  keyPairId: nullableString,
  privateKeyPath: z.string(),
  tunnels: z.array(
    z.object({
      engine: z.string(),
      localPort: z.number(),
      databaseHost: z.string(),
      databasePort: z.number(),
      command: z.string(),
    }),
  ),
  currentOperationId: nullableString,
  lastError: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createBastionRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/stages/{stageName}/bastion',
  operationId: 'createBastion',
  summary:
    'Provision a bastion host for SSH tunnels to the stage’s databases, reachable from the given CIDRs only',
  tag: 'Bastions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'workflows:start'],
  idempotent: true,
  params: stageParams,
  body: bastionBody,
  responses: responses(
    { 202: { description: 'The operation that provisions the bastion', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName } = req.params;
    const operation = await provisionBastion(deps, req.caller, stackId, stageName, req.body);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const getBastionRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/bastion',
  operationId: 'getBastion',
  summary: 'The bastion’s host and user, and the exact ssh tunnel command for each database of the stage',
  tag: 'Bastions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'table:query'],
  params: stageParams,
  responses: responses({ 200: { description: 'The bastion', schema: bastionSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'databases'>) {
    const { stackId, stageName } = req.params;
    return { statusCode: 200, body: await describeBastion(deps, req.caller.tenantId, stackId, stageName) };
  },
});

export const deleteBastionRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/stacks/{stackId}/stages/{stageName}/bastion',
  operationId: 'deleteBastion',
  summary: 'Delete the stage’s bastion host and its key pair',
  tag: 'Bastions',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'workflows:start'],
  idempotent: true,
  params: stageParams,
  responses: responses(
    { 202: { description: 'The operation that deletes the bastion', schema: operationAccepted } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: MutationDeps) {
    const { stackId, stageName } = req.params;
    const operation = await deleteBastion(deps, req.caller, stackId, stageName);
    return { statusCode: 202, body: { operation: operationView(operation) } };
  },
});

export const getBastionPrivateKeyRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/stages/{stageName}/bastion/private-key',
  operationId: 'getBastionPrivateKey',
  summary:
    'Download the bastion’s private key (PEM), which AWS keeps in SSM Parameter Store; every download is audited',
  tag: 'Bastions',
  auth: 'jwt',
  unit: 'credentials',
  permissions: ['table:read', 'table:put', 'customerAccounts:use', 'events:publish'],
  params: stageParams,
  responses: responses(
    { 200: { description: 'The private key, as application/x-pem-file' } },
    [400, 401, 404, 409],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'databases' | 'keys' | 'bus'>) {
    const { stackId, stageName } = req.params;
    const key = await downloadBastionKey(deps, req.caller, stackId, stageName);
    return {
      statusCode: 200,
      body: key,
      headers: {
        'content-type': 'application/x-pem-file',
        'content-disposition': `attachment; filename="${stageName}-bastion.pem"`,
        'cache-control': 'no-store',
      },
    };
  },
});
