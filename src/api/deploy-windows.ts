import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { overrideDeployWindow } from '../app/deploy-windows';
import { stageName } from '../domain/input/fields';
import { overrideBody } from '../domain/input/deploy-window';
import { defineRoute } from '../http/route';
import { responses } from './common';
import { runParams, runSchema, runView } from './runs';

export const overrideWindowRoute = defineRoute({
  method: 'POST',
  path: '/v1/runs/{runId}/stages/{stageName}/override',
  operationId: 'overrideDeployWindow',
  summary:
    'Deploy a stage now, outside its deploy windows: a run waiting for the window goes at once; who and why are recorded on the run',
  tag: 'Runs',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'table:read', 'table:update', 'workflows:resume'],
  idempotent: true,
  params: z.strictObject({ runId: runParams.shape.runId, stageName }),
  body: overrideBody,
  responses: responses(
    { 202: { description: 'The run, its stage overridden; the deploy follows', schema: runSchema } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: Pick<ApiDeps, 'pipelines' | 'workflows'>) {
    const { runId, stageName } = req.params;
    const run = await overrideDeployWindow(deps, req.caller, runId, stageName, req.body.reason.trim());
    return { statusCode: 202, body: runView(run) };
  },
});
