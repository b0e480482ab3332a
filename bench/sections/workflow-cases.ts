import type { Runtime, RuntimeOptions } from '../../src/local/runtime';
import {
  apiClient,
  createStack,
  newStackBody,
  operationEnd,
  type Api,
  type OperationReply,
  type Reply,
} from '../lib/api';
import { sleep } from '../lib/stats';

/** A route or field the case needs is not there yet (404/405, or a 400 naming the field). */
export class NotImplementedYet extends Error {}

export interface CaseContext {
  api: Api;
  runtime: Runtime;
  /** The stack prepared for the case ('' when the case creates its own). */
  stackId: string;
  /** The case's own tenant (`api` is its user): other users of it are `runtime.tokenFor(tenantId, …)`. */
  tenantId: string;
}

/**
 * One workflow to measure. Adding a workflow is one entry here: what to prepare (run with fast
 * stacks), the request that starts it, and how many status steps its stacks walk, so the simulated
 * CloudFormation can be slowed to the same total per stack whatever the walk.
 */
export interface WorkflowCase {
  name: string;
  /** Its key in src/domain/workflows.ts WORKFLOW_FILES; an unregistered one is skipped. */
  workflow: string;
  /**
   * Status steps (delays in src/local/cloudformation/local-cloudformation.ts) of the stack change the
   * case waits on: create 1, update 2, delete 1. Where one case changes several stacks, the largest,
   * so no stack takes longer than the variant's total; the measured stack times are reported.
   */
  stepsPerStack: number;
  /** How its execution ends: SUCCEEDED unless the case is a failure path. */
  ends?: 'SUCCEEDED' | 'FAILED';
  /** False when the start request itself creates the stack. */
  needsStack?: boolean;
  /** More runtime options for a variant whose stacks take `stackSeconds` (other simulated waits). */
  runtimeOptions?: (stackSeconds: number) => Partial<RuntimeOptions>;
  prepare?: (ctx: CaseContext) => Promise<void>;
  start: (ctx: CaseContext) => Promise<Reply<OperationReply & Record<string, unknown>>>;
  /** The execution's name; by default the operation id the start request answered with. */
  executionName?: (body: OperationReply & Record<string, unknown>) => string | undefined;
  /** Whatever the execution needs from outside while it runs (an approval); bounded by its caller. */
  drive?: (ctx: CaseContext, executionName: string, until: () => boolean) => Promise<void>;
}

const PREPARE_TIMEOUT_MS = 60_000;

/** Runs a preparing request that starts an operation and waits for it to succeed. */
async function prepareOperation(
  ctx: CaseContext,
  label: string,
  request: () => Promise<Reply<OperationReply>>,
) {
  const reply = await request();
  if (reply.status === 404 || reply.status === 405) throw new NotImplementedYet(`${label}: ${reply.status}`);
  const operationId = reply.body.operation?.operationId;
  if (reply.status !== 202 || !operationId) {
    if (reply.status === 400 && reply.body.error?.field)
      throw new NotImplementedYet(`${label}: 400 ${reply.body.error.field}`);
    throw new Error(`${label}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
  }
  const end = await operationEnd(ctx.api, operationId, PREPARE_TIMEOUT_MS);
  if (end !== 'SUCCEEDED') throw new Error(`${label}: ended ${end ?? 'not in time'}`);
}

const stagePath = (ctx: CaseContext, stage = 'dev') => `/v1/stacks/${ctx.stackId}/stages/${stage}`;
const withStage = (ctx: CaseContext, stage = 'dev', body: Record<string, unknown> = {}) =>
  prepareOperation(ctx, `create stage ${stage}`, () =>
    ctx.api.post<OperationReply>(`/v1/stacks/${ctx.stackId}/stages`, { name: stage, ...body }),
  );
const withDatabase = (ctx: CaseContext, stage = 'dev') =>
  prepareOperation(ctx, 'add database', () =>
    ctx.api.post<OperationReply>(`${stagePath(ctx, stage)}/databases`, { engine: 'postgres' }),
  );
const BASTION = { allowedCidrs: ['203.0.113.0/24'] };
const withBastion = (ctx: CaseContext) =>
  prepareOperation(ctx, 'provision bastion', () =>
    ctx.api.post<OperationReply>(`${stagePath(ctx)}/bastion`, BASTION),
  );

/** Sunday 29 March 2026, 09:00 in Berlin (the day clocks go forward): when the waited-for window opens. */
const WINDOW_OPENS = Date.parse('2026-03-29T07:00:00Z');
const SUNDAY_MORNING_IN_BERLIN = { days: ['sun'], start: '09:00', end: '16:00', timeZone: 'Europe/Berlin' };
/**
 * The clock a runtime checks deploy windows by: it reads `leadSeconds` before the opening when it is
 * first read (the first run reaching a window check, right after its build), and runs on from there.
 */
function windowClock(leadSeconds: number) {
  let firstRead: number | undefined;
  return () => {
    firstRead ??= Date.now();
    return new Date(WINDOW_OPENS - leadSeconds * 1000 + (Date.now() - firstRead));
  };
}

/** The stack's pipeline is ACTIVE (created with the stack; a run or a deletion waits for it). */
async function withActivePipeline(ctx: CaseContext) {
  const deadline = Date.now() + PREPARE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const stack = await ctx.api.get<{ pipeline?: { status: string } }>(`/v1/stacks/${ctx.stackId}`);
    if (stack.body.pipeline?.status === 'ACTIVE') return;
    if (stack.body.pipeline?.status === 'FAILED') throw new Error('the pipeline failed');
    await sleep(100);
  }
  throw new Error('the pipeline never became ACTIVE');
}

/** The commit a prepared run builds, and the measured run deploys again (its image reused). */
const BUILT_COMMIT = 'b0'.repeat(20);

/** A run of `commit` that ends SUCCEEDED. */
async function withRun(ctx: CaseContext, commit: string) {
  const reply = await ctx.api.post<{ runId?: string }>(`/v1/stacks/${ctx.stackId}/runs`, { commit });
  if (reply.status !== 202 || !reply.body.runId) throw new Error(`run: ${reply.status}`);
  const deadline = Date.now() + PREPARE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const run = await ctx.api.get<{ status: string }>(`/v1/runs/${reply.body.runId}`);
    if (run.body.status === 'SUCCEEDED') return;
    if (['FAILED', 'STOPPED', 'SUPERSEDED'].includes(run.body.status))
      throw new Error(`run ended ${run.body.status}`);
    await sleep(100);
  }
  throw new Error('the prepared run did not end');
}

/**
 * Approves every pending approval until the execution ends; `first` runs before each one is
 * decided and may skip it (false: the approval was closed some other way).
 */
async function approveAll(ctx: CaseContext, until: () => boolean, first?: () => Promise<boolean>) {
  const decided = new Set<string>();
  while (!until()) {
    const pending = await ctx.api.get<{ items?: { approvalId: string }[] }>('/v1/approvals?status=pending');
    for (const { approvalId } of pending.body.items ?? []) {
      if (decided.has(approvalId)) continue;
      if (first && !(await first())) {
        decided.add(approvalId);
        continue;
      }
      const reply = await ctx.api.post(`/v1/approvals/${approvalId}`, { decision: 'approve' });
      // 409 while the workflow has not parked its task token yet: asked again on the next round.
      if (reply.status === 200) decided.add(approvalId);
      else if (reply.status !== 409) throw new Error(`approve ${approvalId}: ${reply.status}`);
    }
    await sleep(200);
  }
}

export const WORKFLOW_CASES: WorkflowCase[] = [
  {
    name: 'create stage',
    workflow: 'deployStage',
    stepsPerStack: 1,
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/stages`, { name: 'dev' }),
  },
  {
    name: 'update stage',
    workflow: 'deployStage',
    stepsPerStack: 2,
    prepare: (ctx) => withStage(ctx),
    start: (ctx) => ctx.api.patch(stagePath(ctx), { environment: { BENCH: '1' } }),
  },
  // Issue #13: a rollback is a deploy-stage execution too (the stage's first deployment, after a PATCH).
  {
    name: 'rollback stage',
    workflow: 'deployStage',
    stepsPerStack: 2,
    prepare: async (ctx) => {
      await withStage(ctx);
      await prepareOperation(ctx, 'update stage', () =>
        ctx.api.patch<OperationReply>(stagePath(ctx), { environment: { BENCH: '1' } }),
      );
    },
    start: async (ctx) => {
      const history = await ctx.api.get<{ items?: { deploymentId: string }[] }>(
        `${stagePath(ctx)}/deployments`,
      );
      if (history.status === 404 || !history.body.items)
        throw new NotImplementedYet(`deployments: ${history.status}`);
      const first = history.body.items[history.body.items.length - 1]!;
      return ctx.api.post(`${stagePath(ctx)}/rollback`, { deploymentId: first.deploymentId });
    },
  },
  {
    name: 'delete stage',
    workflow: 'deleteStage',
    stepsPerStack: 1,
    prepare: (ctx) => withStage(ctx),
    start: (ctx) => ctx.api.delete(stagePath(ctx)),
  },
  // Issue 13: a deploy during which a rollback alarm is in ALARM fails and its stack update rolls
  // back (stack: update, rollback, cleanup: 3 steps), through the same failure path as any update.
  {
    name: 'update stage rolled back by its alarm',
    workflow: 'deployStage',
    stepsPerStack: 3,
    ends: 'FAILED',
    prepare: async (ctx) => {
      await withStage(ctx, 'dev', { loadBalancer: true, rollbackAlarms: { http5xxPercent: 5 } });
      const alarm = { stackId: ctx.stackId, stage: 'dev', alarm: 'http5xxPercent', state: 'ALARM' };
      const reply = await ctx.api.post('/local/alarms', alarm);
      if (reply.status === 404 || reply.status === 405)
        throw new NotImplementedYet(`/local/alarms: ${reply.status}`);
      if (reply.status !== 200) throw new Error(`/local/alarms: ${reply.status}`);
    },
    start: (ctx) => ctx.api.patch(stagePath(ctx), { environment: { BENCH: '1' } }),
  },
  // Issue #3: routes as the issue specifies them.
  {
    name: 'add database (postgres)',
    workflow: 'addDatabase',
    stepsPerStack: 2,
    prepare: (ctx) => withStage(ctx),
    start: (ctx) => ctx.api.post(`${stagePath(ctx)}/databases`, { engine: 'postgres' }),
  },
  {
    name: 'delete database (postgres)',
    workflow: 'deleteDatabase',
    stepsPerStack: 2,
    prepare: async (ctx) => {
      await withStage(ctx);
      await withDatabase(ctx);
    },
    start: (ctx) => ctx.api.delete(`${stagePath(ctx)}/databases/postgres`),
  },
  {
    name: 'create read replica (postgres, other region)',
    workflow: 'createReadReplica',
    stepsPerStack: 1,
    prepare: async (ctx) => {
      await withStage(ctx);
      await withDatabase(ctx);
    },
    start: (ctx) =>
      ctx.api.post(`/v1/stacks/${ctx.stackId}/stages`, {
        name: 'replica',
        region: 'us-west-2',
        database: { readReplicaOf: { stage: 'dev', engine: 'postgres' } },
      }),
  },
  {
    name: 'provision bastion',
    workflow: 'provisionBastion',
    stepsPerStack: 2,
    prepare: (ctx) => withStage(ctx),
    start: (ctx) => ctx.api.post(`${stagePath(ctx)}/bastion`, BASTION),
  },
  {
    name: 'delete bastion',
    workflow: 'deleteBastion',
    stepsPerStack: 2,
    prepare: async (ctx) => {
      await withStage(ctx);
      await withBastion(ctx);
    },
    start: (ctx) => ctx.api.delete(`${stagePath(ctx)}/bastion`),
  },
  // Issue #4: creating a stack builds its pipeline (execution named after the stack) …
  {
    name: 'create pipeline (POST /v1/stacks)',
    workflow: 'createPipeline',
    stepsPerStack: 1,
    needsStack: false,
    start: (ctx) => ctx.api.post('/v1/stacks', newStackBody()),
    executionName: (body) => (typeof body.stackId === 'string' ? body.stackId : undefined),
  },
  // … and a run (named after the run) builds the image, then deploys dev → staging (approval) → prod.
  {
    name: 'pipeline run: 3 stages, 1 approval',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    prepare: async (ctx) => {
      await withStage(ctx, 'dev');
      await withStage(ctx, 'staging', { requireApproval: true });
      await withStage(ctx, 'prod');
    },
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, {}),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
    drive: (ctx, _executionName, until) => approveAll(ctx, until),
  },
  // A deploy planned before its approval, planned again: the stage's variables change while the run
  // waits (the approval is REPLANNED, a new one follows), then the new plan's change set is executed.
  {
    name: 'pipeline run: 1 approval, planned again',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    prepare: (ctx) => withStage(ctx, 'prod', { requireApproval: true }),
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, {}),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
    drive: async (ctx, _executionName, until) => {
      let patched = false;
      await approveAll(ctx, until, async () => {
        if (patched) return true;
        const reply = await ctx.api.patch(stagePath(ctx, 'prod'), { environment: { FEATURE_FLAGS: 'on' } });
        if (reply.status !== 202) throw new Error(`PATCH prod: ${reply.status}`);
        patched = true;
        return false;
      });
    },
  },
  // Issue 13 §5: a run waits for its stage's deploy window (a task token timing out when it opens),
  // as long as the variant's stacks take (at least 5 s), or is let through by an override.
  {
    name: 'pipeline run: waits for its deploy window',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    runtimeOptions: (stackSeconds) => ({ clock: windowClock(Math.max(5, stackSeconds)) }),
    prepare: (ctx) => withStage(ctx, 'prod', { deployWindows: [SUNDAY_MORNING_IN_BERLIN] }),
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, {}),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
  },
  {
    name: 'pipeline run: deploy window overridden',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    prepare: (ctx) =>
      withStage(ctx, 'prod', { deployWindows: [{ ...SUNDAY_MORNING_IN_BERLIN, days: ['wed'] }] }),
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, {}),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
    drive: async (ctx, runId, until) => {
      while (!until()) {
        const run = await ctx.api.get<{ status?: string }>(`/v1/runs/${runId}`);
        if (run.body.status === 'WAITING_FOR_WINDOW') {
          const reply = await ctx.api.post(`/v1/runs/${runId}/stages/prod/override`, { reason: 'bench' });
          if (reply.status === 404) throw new NotImplementedYet('override: 404');
          if (reply.status !== 202) throw new Error(`override: ${reply.status}`);
          return;
        }
        await sleep(200);
      }
    },
  },
  // Issue #13: a stage whose approval policy needs two people: the run waits in the same one
  // WaitForApproval until the second approves, so its transitions are a one-approval run's.
  {
    name: 'pipeline run: 1 stage, 2 approvals',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    prepare: (ctx) => withStage(ctx, 'prod', { approval: { required: 2 } }),
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, {}),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
    drive: async (ctx, _executionName, until) => {
      // Two users other than the one who started the run: its author, whom the policy bars.
      const approvers = ['first', 'second'].map((user) =>
        apiClient(ctx.runtime.url, ctx.runtime.tokenFor(ctx.tenantId, user)),
      );
      let approved = 0;
      while (!until() && approved < approvers.length) {
        const pending = await ctx.api.get<{ items?: { approvalId: string }[] }>(
          '/v1/approvals?status=pending',
        );
        const approvalId = pending.body.items?.[0]?.approvalId;
        if (approvalId) {
          const reply = await approvers[approved]!.post(`/v1/approvals/${approvalId}`, {
            decision: 'approve',
          });
          // 409 while the workflow has not parked its task token yet: asked again on the next round.
          if (reply.status === 200) approved += 1;
          else if (reply.status !== 409) throw new Error(`approve ${approvalId}: ${reply.status}`);
        }
        await sleep(200);
      }
    },
  },
  // A run of a commit built before: its image is reused (no build), then dev is deployed.
  {
    name: 'pipeline run: image reused, 1 stage',
    workflow: 'pipelineRun',
    stepsPerStack: 2,
    prepare: async (ctx) => {
      await withStage(ctx, 'dev');
      await withActivePipeline(ctx);
      await withRun(ctx, BUILT_COMMIT);
    },
    start: (ctx) => ctx.api.post(`/v1/stacks/${ctx.stackId}/runs`, { commit: BUILT_COMMIT }),
    executionName: (body) => (typeof body.runId === 'string' ? body.runId : undefined),
  },
  // Deleting a stack (no stages left): its pipeline stack, then its records.
  {
    name: 'delete stack',
    workflow: 'deleteStack',
    stepsPerStack: 1,
    prepare: (ctx) => withActivePipeline(ctx),
    start: (ctx) => ctx.api.delete(`/v1/stacks/${ctx.stackId}`),
  },
];

export async function newCaseContext(
  api: Api,
  runtime: Runtime,
  tenantId: string,
  needsStack = true,
): Promise<CaseContext> {
  return { api, runtime, tenantId, stackId: needsStack ? await createStack(api) : '' };
}
