import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cfnStackNameOf } from '../../src/domain/stage';
import { WORKFLOW_FILES } from '../../src/domain/workflows';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { apiClient, closeQuietly, createStack, runtimeLog, type OperationReply } from '../lib/api';
import type { BenchOptions } from '../lib/options';
import { verdict, type Row, type SectionResult } from '../lib/report';
import { fmt, mapLimit, percentile, round, sleep, waitFor } from '../lib/stats';
import { newCaseContext, NotImplementedYet, WORKFLOW_CASES, type WorkflowCase } from './workflow-cases';

const TARGET_EVENT_P99_MS = 500;
const PREPARE_DELAY_MS = 10;
const LATENCY_BATCH = 20;
const STAGGER_MS = 50;
const STAGES_PER_LATENCY_STACK = 5;

interface StackWalk {
  name: string;
  seconds: number;
  finalStatus: string;
}

interface VariantResult {
  stackSeconds: number;
  status: 'measured' | 'skipped' | 'error';
  reason?: string;
  executionName?: string;
  executionStatus?: string;
  stateTransitions?: number;
  stacks?: StackWalk[];
  wallSeconds?: number;
}

const isFinal = (status: string) => !status.endsWith('_IN_PROGRESS');
const stackNameOf = (event: BusEvent) =>
  String((event.detail as { 'stack-id': string })['stack-id']).split('/')[1] ?? '';
const statusOf = (event: BusEvent) =>
  (event.detail as { 'status-details': { status: string } })['status-details'].status;

/** Every CloudFormation walk seen on a runtime's bus: first status to final status, per stack. */
function watchStacks(runtime: Runtime) {
  const open = new Map<string, number>();
  const walks: StackWalk[] = [];
  const unsubscribe = runtime.bus.subscribe((event) => {
    if (event['detail-type'] !== 'CloudFormation Stack Status Change') return;
    const name = stackNameOf(event);
    const status = statusOf(event);
    const now = performance.now();
    if (!open.has(name)) open.set(name, now);
    if (isFinal(status)) {
      walks.push({ name, seconds: round((now - open.get(name)!) / 1000, 2), finalStatus: status });
      open.delete(name);
    }
  });
  return { walks, unsubscribe };
}

/**
 * One runtime runs every case whose stacks walk the same number of status steps, at one variant's
 * speed: all of them are prepared on fast stacks, then the delay is set and all of them started.
 * Each case has a tenant of its own, so nothing it reads or approves is another case's. (A runtime
 * takes seconds of CPU to start — see PERFORMANCE.md — so the section starts a handful, not one each.)
 */
async function runGroup(cases: WorkflowCase[], stackSeconds: number): Promise<VariantResult[]> {
  const registered = cases.filter((c) => c.workflow in WORKFLOW_FILES);
  const results = new Map<WorkflowCase, VariantResult>(
    cases
      .filter((c) => !registered.includes(c))
      .map((c) => [
        c,
        { stackSeconds, status: 'skipped', reason: `workflow ${c.workflow} not registered yet` },
      ]),
  );
  if (registered.length === 0) return cases.map((c) => results.get(c)!);
  const runtime = await startRuntime({
    port: 0,
    stackDelayMs: PREPARE_DELAY_MS,
    ...Object.assign({}, ...registered.map((c) => c.runtimeOptions?.(stackSeconds) ?? {})),
  });
  try {
    const prepared = await Promise.all(
      registered.map(async (testCase, i) => {
        try {
          const tenantId = `bench-case-${i}`;
          const api = apiClient(runtime.url, runtime.tokenFor(tenantId));
          const ctx = await newCaseContext(api, runtime, tenantId, testCase.needsStack ?? true);
          await testCase.prepare?.(ctx);
          return { testCase, ctx };
        } catch (error) {
          const skipped = error instanceof NotImplementedYet;
          results.set(testCase, {
            stackSeconds,
            status: skipped ? 'skipped' : 'error',
            reason: (error as Error).message,
          });
          return undefined;
        }
      }),
    );
    await Promise.race([runtime.workflows.idle(), sleep(120_000)]);

    // Every case in the group walks its stacks in the same number of steps, so one delay fits all.
    runtime.cloudFormation.setDelay(Math.round((stackSeconds * 1000) / registered[0]!.stepsPerStack));
    const watch = watchStacks(runtime);
    const started = performance.now();
    // Bounded: ten times the slow walk, plus a minute for everything else.
    const limitMs = stackSeconds * 1000 * 10 + 60_000;
    await Promise.all(
      prepared.map(async (entry) => {
        if (!entry) return;
        const { testCase, ctx } = entry;
        try {
          const reply = await testCase.start(ctx);
          if (reply.status === 404 || reply.status === 405) {
            const reason = `route answers ${reply.status} (no such route on this build: skipped)`;
            results.set(testCase, { stackSeconds, status: 'skipped', reason });
            return;
          }
          const executionName = (testCase.executionName ?? ((b) => b.operation?.operationId))(reply.body);
          if (reply.status >= 300 || !executionName) {
            throw new Error(`start answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
          }
          const ended = () => {
            const status = runtime.workflows.execution(executionName)?.status;
            return status !== undefined && status !== 'RUNNING';
          };
          let driveError: unknown;
          const driving = testCase
            .drive?.(ctx, executionName, () => ended() || performance.now() - started > limitMs)
            .catch((error: unknown) => (driveError = error));
          await waitFor(() => (ended() || driveError ? true : undefined), limitMs, 100);
          await driving;
          if (driveError) throw driveError;
          const stackId = ctx.stackId || String((reply.body as { stackId?: string }).stackId ?? '');
          results.set(testCase, {
            stackSeconds,
            status: 'measured',
            executionName,
            stacks: watch.walks.filter((w) => stackId && w.name.includes(stackId.replace(/_/g, '-'))),
            wallSeconds: round((performance.now() - started) / 1000, 1),
          });
        } catch (error) {
          results.set(testCase, { stackSeconds, status: 'error', reason: (error as Error).message });
        }
      }),
    );
    // Transitions are counted as the engine reports them, which ends a moment after the result.
    await Promise.race([runtime.workflows.idle(), sleep(30_000)]);
    watch.unsubscribe();
    for (const [, result] of results) {
      if (result.status !== 'measured' || !result.executionName) continue;
      const execution = runtime.workflows.execution(result.executionName);
      result.executionStatus = execution?.status ?? 'unknown';
      result.stateTransitions = execution?.stateTransitions;
    }
    return cases.map((c) => results.get(c)!);
  } finally {
    runtime.cloudFormation.setDelay(1);
    await closeQuietly(runtime);
  }
}

/** Cases grouped by the status steps of their stacks, each group on one runtime, in case order. */
async function runVariant(cases: WorkflowCase[], stackSeconds: number): Promise<VariantResult[]> {
  const steps = [...new Set(cases.map((c) => c.stepsPerStack))];
  const groups = await Promise.all(
    steps.map(async (n) => {
      const members = cases.filter((c) => c.stepsPerStack === n);
      return { members, results: await runGroup(members, stackSeconds) };
    }),
  );
  return cases.map((c) => {
    const group = groups.find((g) => g.members.includes(c))!;
    return group.results[group.members.indexOf(c)]!;
  });
}

type Arrival = 'staggered' | 'burst';

/**
 * From a stack's final status (CloudFormation's event on the bus) to the workflow's status event for
 * that stage (Operation or Stage Status Change, whichever comes first), over many creates on 1 s
 * stacks, arriving two ways:
 * - staggered: one create every STAGGER_MS, so about twenty are in flight and their stacks finish
 *   one after another, as independent requests do;
 * - burst: LATENCY_BATCH creates at once, so their stacks finish in the same millisecond and every
 *   resume queues behind the others on the runtime's one thread.
 */
async function eventLatency(samples: number, stackSeconds: number, arrival: Arrival) {
  const runtime = await startRuntime({ port: 0, stackDelayMs: PREPARE_DELAY_MS });
  try {
    const api = apiClient(runtime.url, runtime.tokenFor('bench'));
    const stacks = await mapLimit(
      Array.from({ length: Math.ceil(samples / STAGES_PER_LATENCY_STACK) }),
      4,
      () => createStack(api),
    );
    // The stacks' own pipelines are built before the stages' stacks are timed.
    await Promise.race([runtime.workflows.idle(), sleep(60_000)]);
    runtime.cloudFormation.setDelay(stackSeconds * 1000);
    const stages = stacks
      .flatMap((stackId) =>
        Array.from({ length: STAGES_PER_LATENCY_STACK }, (_, i) => ({ stackId, name: `s${i}` })),
      )
      .slice(0, samples);

    const finalAt = new Map<string, number>();
    const statusAt = new Map<string, number>();
    const unsubscribe = runtime.bus.subscribe((event) => {
      const now = performance.now();
      if (event['detail-type'] === 'CloudFormation Stack Status Change') {
        const name = stackNameOf(event);
        if (isFinal(statusOf(event)) && !finalAt.has(name)) finalAt.set(name, now);
        return;
      }
      if (event.source !== 'tinystacks') return;
      const detail = event.detail as { stackId?: string; stageName?: string; status?: string };
      const terminal = ['SUCCEEDED', 'FAILED', 'ACTIVE', 'DELETED'].includes(detail.status ?? '');
      if (!terminal || !detail.stackId || !detail.stageName) return;
      const name = cfnStackNameOf(detail.stackId, detail.stageName);
      if (!statusAt.has(name)) statusAt.set(name, now);
    });

    const failures: string[] = [];
    const names: string[] = [];
    const create = async (s: { stackId: string; name: string }) => {
      const reply = await api.post<OperationReply>(`/v1/stacks/${s.stackId}/stages`, { name: s.name });
      if (reply.status !== 202) failures.push(`create ${s.name}: ${reply.status}`);
      else names.push(cfnStackNameOf(s.stackId, s.name));
    };
    if (arrival === 'staggered') {
      const pending: Promise<void>[] = [];
      for (const stage of stages) {
        pending.push(create(stage));
        await sleep(STAGGER_MS);
      }
      await Promise.all(pending);
      await Promise.race([runtime.workflows.idle(), sleep(stackSeconds * 1000 * 20 + 60_000)]);
    } else {
      for (let b = 0; b < stages.length; b += LATENCY_BATCH) {
        await Promise.all(stages.slice(b, b + LATENCY_BATCH).map(create));
        await Promise.race([runtime.workflows.idle(), sleep(stackSeconds * 1000 * 20 + 60_000)]);
      }
    }
    // The status event is delivered after the execution ends; give the bus a moment to hand it over.
    await waitFor(() => (names.every((n) => statusAt.has(n)) ? true : undefined), 5_000);
    unsubscribe();
    const latencies = names.flatMap((n) => {
      const a = finalAt.get(n);
      const b = statusAt.get(n);
      return a !== undefined && b !== undefined ? [b - a] : [];
    });
    return {
      arrival,
      samples: latencies.length,
      missing: names.length - latencies.length,
      failures,
      p50: round(percentile(latencies, 50), 1),
      p99: round(percentile(latencies, 99), 1),
      max: round(percentile(latencies, 100), 1),
    };
  } finally {
    await closeQuietly(runtime);
  }
}

export async function runWorkflows(root: string, options: BenchOptions): Promise<SectionResult> {
  const started = performance.now();
  const log = runtimeLog(root);
  log.reset();
  const cases = WORKFLOW_CASES.filter(
    (c) =>
      !options.workflowFilter ||
      c.name.includes(options.workflowFilter) ||
      c.workflow.includes(options.workflowFilter),
  );
  const slow = options.slowStackSeconds;
  const fast = options.fastStackSeconds;
  // The slow variants mostly wait; the fast ones and the latency samples run meanwhile.
  process.stderr.write(`workflows: ${cases.length} cases at ${fast} s and ${slow} s per stack\n`);
  const slowRuns = runVariant(cases, slow);
  const fastRuns = await runVariant(cases, fast);
  process.stderr.write(`workflows: fast variants done; ${options.latencySamples} event-latency samples\n`);
  const latencies = [
    await eventLatency(options.latencySamples, fast, 'staggered'),
    await eventLatency(options.latencySamples, fast, 'burst'),
  ];
  process.stderr.write('workflows: waiting for the slow variants\n');
  const slowResults = await slowRuns;

  const covered = new Set(WORKFLOW_CASES.map((c) => c.workflow));
  const uncovered = Object.keys(WORKFLOW_FILES).filter((w) => !covered.has(w));
  const aslMissing = Object.entries(WORKFLOW_FILES)
    .filter(([, file]) => !existsSync(join(root, 'statemachines', file)))
    .map(([name]) => name);

  const results = cases.map((c, i) => ({
    name: c.name,
    workflow: c.workflow,
    stepsPerStack: c.stepsPerStack,
    fast: fastRuns[i]!,
    slow: slowResults[i]!,
  }));
  const walk = (v: VariantResult) => {
    const seconds = (v.stacks ?? []).map((s) => s.seconds);
    if (seconds.length === 0) return 'no stack';
    const lo = Math.min(...seconds);
    const hi = Math.max(...seconds);
    return `${seconds.length} stack${seconds.length > 1 ? 's' : ''} ${lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`} s`;
  };
  const describe = (v: VariantResult) =>
    v.status === 'measured'
      ? `${v.stateTransitions} transitions @${v.stackSeconds} s (${walk(v)}, ${v.executionStatus})`
      : `${v.status}: ${v.reason}`;

  const rows: Row[] = results.map((c) => {
    const measured = c.fast.status === 'measured' && c.slow.status === 'measured';
    const skipped = c.fast.status === 'skipped' || c.slow.status === 'skipped';
    const bothSucceeded = c.fast.executionStatus === 'SUCCEEDED' && c.slow.executionStatus === 'SUCCEEDED';
    const equal = measured && c.fast.stateTransitions === c.slow.stateTransitions;
    return {
      section: 'workflows',
      item: `${c.name} (${c.workflow})`,
      measured: describe(c.fast),
      reference: skipped && c.fast.reason === c.slow.reason ? '' : describe(c.slow),
      ratio: measured ? (equal ? 'equal' : `${c.fast.stateTransitions} ≠ ${c.slow.stateTransitions}`) : '',
      target: 'equal counts, SUCCEEDED',
      verdict: skipped ? 'SKIP' : measured ? verdict(equal && bothSucceeded) : 'ERROR',
    };
  });
  for (const workflow of uncovered) {
    rows.push({
      section: 'workflows',
      item: `${workflow} (${WORKFLOW_FILES[workflow as keyof typeof WORKFLOW_FILES]})`,
      measured: 'registered, but no entry in bench/sections/workflow-cases.ts',
      reference: '',
      ratio: '',
      target: 'equal counts',
      verdict: 'MISS',
    });
  }
  for (const latency of latencies) {
    rows.push({
      section: 'workflows',
      item: `stack final status → status event (${latency.arrival})`,
      measured: `p50 ${fmt(latency.p50)} · p99 ${fmt(latency.p99)} · max ${fmt(latency.max)} ms (n=${latency.samples}${latency.missing ? `, ${latency.missing} missing` : ''})`,
      reference:
        latency.arrival === 'staggered'
          ? `a create every ${STAGGER_MS} ms, ${fast} s stacks (~${Math.round((fast * 1000) / STAGGER_MS)} in flight)`
          : `${LATENCY_BATCH} creates at once, ${fast} s stacks finishing together`,
      ratio: '',
      target: `p99 ≤${TARGET_EVENT_P99_MS} ms`,
      verdict: verdict(
        latency.p99 <= TARGET_EVENT_P99_MS && latency.missing === 0 && latency.failures.length === 0,
      ),
    });
  }
  if (log.counts.error > 0) {
    rows.push({
      section: 'workflows',
      item: 'runtime log errors',
      measured: `${log.counts.error} errors (bench/results/runtime.log)`,
      reference: '',
      ratio: '',
      target: 'none',
      verdict: 'MISS',
    });
  }
  return {
    rows,
    data: {
      fastStackSeconds: fast,
      slowStackSeconds: slow,
      cases: results,
      uncoveredWorkflows: uncovered,
      registeredWithoutAslFile: aslMissing,
      eventLatency: {
        targetP99Ms: TARGET_EVENT_P99_MS,
        staggerMs: STAGGER_MS,
        batch: LATENCY_BATCH,
        runs: latencies,
      },
      runtimeLogErrors: log.counts.error,
    },
    seconds: round((performance.now() - started) / 1000),
  };
}
