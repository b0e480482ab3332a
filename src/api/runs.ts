import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { newRun, startRun } from '../app/pipelines';
import { DomainError } from '../domain/errors';
import { pageQuery } from '../domain/input/fields';
import { runAuthor } from '../domain/approval-policy';
import { RUN_STAGE_STATUSES, RUN_STATUSES, type Run } from '../domain/pipeline';
import { createRunBody } from '../domain/input/pipeline';
import { assertStackActive } from '../domain/stack';
import { defineRoute } from '../http/route';
import { page, responses, stackParams } from './common';
import { pageOf } from './views';

const nullableString = z.nullable(z.string());

const BUILD_STATUSES = ['BUILDING', 'BUILT', 'REUSED', 'FAILED'] as const;

/**
 * How the run got its image: built by its pipeline execution, or REUSED (the commit's image was in
 * the repository already, so nothing was built); null before a build started.
 */
function buildOf(r: Run): {
  status: (typeof BUILD_STATUSES)[number];
  imageUri: string | null;
  pipelineExecutionId: string | null;
} | null {
  if (r.imageReused) return { status: 'REUSED', imageUri: r.imageUri ?? null, pipelineExecutionId: null };
  if (!r.pipelineExecutionId) return null;
  return {
    status: r.imageUri ? 'BUILT' : r.status === 'BUILDING' ? 'BUILDING' : 'FAILED',
    imageUri: r.imageUri ?? null,
    pipelineExecutionId: r.pipelineExecutionId,
  };
}

export const runView = (r: Run) => ({
  runId: r.runId,
  stackId: r.stackId,
  trigger: r.trigger,
  branch: r.branch,
  commit: {
    sha: r.commit.sha ?? null,
    message: r.commit.message ?? null,
    author: r.commit.author ?? null,
    url: r.commit.url ?? null,
  },
  status: r.status,
  requestedBy: r.requestedBy,
  author: r.author ?? null,
  imageUri: r.imageUri ?? null,
  build: buildOf(r),
  stages: (r.stageOrder ?? []).map((name) => {
    const s = r.stages[name]!;
    return {
      name,
      status: s.status,
      approvalId: s.approvalId ?? null,
      operationId: s.operationId ?? null,
      startedAt: s.startedAt ?? null,
      endedAt: s.endedAt ?? null,
      error: s.error ?? null,
      replannedApprovals: s.replannedApprovals ?? [],
      opensAt: s.opensAt ?? null,
      override: s.override ?? null,
    };
  }),
  error: r.error ?? null,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  endedAt: r.endedAt ?? null,
});

export const runAuthorSchema = z.object({ logins: z.array(z.string()), emails: z.array(z.string()) });

export const runSchema = z.object({
  runId: z.string(),
  stackId: z.string(),
  trigger: z.enum(['push', 'manual']),
  branch: z.string(),
  commit: z.object({
    sha: nullableString,
    message: nullableString,
    author: nullableString,
    url: nullableString,
  }),
  status: z.enum(RUN_STATUSES),
  requestedBy: z.string(),
  /** Who the change comes from, as the push said (the head commit's author, the pusher) or who started the run by hand: whom a stage's policy may bar from approving. */
  author: z.nullable(runAuthorSchema),
  imageUri: nullableString,
  build: z.nullable(
    z.object({
      status: z.enum(BUILD_STATUSES),
      imageUri: nullableString,
      pipelineExecutionId: nullableString,
    }),
  ),
  stages: z.array(
    z.object({
      name: z.string(),
      status: z.enum(RUN_STAGE_STATUSES),
      approvalId: nullableString,
      operationId: nullableString,
      startedAt: nullableString,
      endedAt: nullableString,
      error: nullableString,
      /** Approvals of this stage closed because its deploy was planned again (issue 13 §3). */
      replannedApprovals: z.array(z.object({ approvalId: z.string(), reason: z.string(), at: z.string() })),
      /** When the stage's next deploy window opens: the run goes then (while WAITING_FOR_WINDOW). */
      opensAt: nullableString,
      /** Who deployed the stage outside its deploy windows, why, and when. */
      override: z.nullable(z.object({ by: z.string(), reason: z.string(), at: z.string() })),
    }),
  ),
  error: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: nullableString,
});

export const runParams = z.strictObject({
  runId: z.string().check(z.regex(/^run_[0-9a-z]{26}$/, 'is not a run id')),
});

export const listRunsRoute = defineRoute({
  method: 'GET',
  path: '/v1/stacks/{stackId}/runs',
  operationId: 'listRuns',
  summary: 'A stack’s pipeline runs, newest first: commit, status, and the status of each stage',
  tag: 'Runs',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'index:query'],
  params: stackParams,
  query: pageQuery,
  responses: responses(
    { 200: { description: 'A page of runs', schema: pageOf(runSchema) } },
    [400, 401, 404],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'pipelines'>) {
    await deps.store.requireStack(req.caller.tenantId, req.params.stackId);
    const result = await deps.pipelines.listRuns(req.caller.tenantId, req.params.stackId, req.query);
    return { statusCode: 200, body: page(result.items.map(runView), result.nextToken) };
  },
});

export const getRunRoute = defineRoute({
  method: 'GET',
  path: '/v1/runs/{runId}',
  operationId: 'getRun',
  summary:
    'A pipeline run: QUEUED → BUILDING → DEPLOYING (⇄ WAITING_FOR_APPROVAL, WAITING_FOR_WINDOW) → SUCCEEDED | FAILED | STOPPED | SUPERSEDED; QUEUED → DEPLOYING when the commit’s image was built before (build.status REUSED)',
  tag: 'Runs',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read'],
  params: runParams,
  responses: responses({ 200: { description: 'The run', schema: runSchema } }, [400, 401, 404]),
  async handle(req, deps: Pick<ApiDeps, 'pipelines'>) {
    const run = await deps.pipelines.requireRun(req.caller.tenantId, req.params.runId);
    return { statusCode: 200, body: runView(run) };
  },
});

export const createRunRoute = defineRoute({
  method: 'POST',
  path: '/v1/stacks/{stackId}/runs',
  operationId: 'createRun',
  summary:
    'Deploy by hand: build the given commit (or the head of the stack’s branch) and move it through the stages; a commit built before is not built again (its image is reused)',
  tag: 'Runs',
  auth: 'jwt',
  unit: 'api',
  permissions: ['idempotency', 'workflows:start'],
  idempotent: true,
  params: stackParams,
  body: createRunBody,
  responses: responses(
    { 202: { description: 'The run, QUEUED', schema: runSchema } },
    [400, 401, 404, 409, 422],
  ),
  async handle(req, deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows' | 'pipelineSettings'>) {
    const stack = await deps.store.requireStack(req.caller.tenantId, req.params.stackId);
    assertStackActive(stack);
    if (stack.pipeline && stack.pipeline.status !== 'ACTIVE')
      throw new DomainError(
        409,
        'Conflict',
        `the stack's pipeline is ${stack.pipeline.status.toLowerCase()}`,
        {
          ...(stack.pipeline.error ? { reason: stack.pipeline.error } : {}),
        },
      );
    const run = newRun(stack, {
      trigger: 'manual',
      commit: req.body.commit ? { sha: req.body.commit } : {},
      requestedBy: req.caller.userId,
      author: runAuthor([req.caller.userId], [req.caller.email]),
    });
    await startRun(deps, stack, run);
    return { statusCode: 202, body: runView(run) };
  },
});
