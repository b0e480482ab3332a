import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime } from '../../src/local/runtime';
import {
  apiClient,
  closeQuietly,
  createStack,
  operationEnd,
  runtimeLog,
  type OperationReply,
} from '../lib/api';
import type { BenchOptions } from '../lib/options';
import { verdict, type Row, type SectionResult } from '../lib/report';
import { mapLimit, round, sleep } from '../lib/stats';

/** Per status step: creates overlap for about a second, long enough for PATCHes to meet busy stages. */
const STACK_DELAY_MS = 1000;
const WAIT_LIMIT_MS = 180_000;
/** PATCH bursts while the creates run: they must meet the lock (409) or, once a stage is ACTIVE, take it (202). */
const PATCH_BURSTS = 12;
const PATCH_BURST_SIZE = 10;
const PATCH_BURST_INTERVAL_MS = 250;
const MB = 1024 * 1024;

interface Overlap {
  stage: string;
  running: string;
  started: string;
}

/**
 * The section runs in a fresh process of its own, so the peak memory it reports is the runtime's
 * under this load, not what earlier sections left in the benchmark's heap.
 */
export async function runScale(root: string, options: BenchOptions): Promise<SectionResult> {
  const child = fork(fileURLToPath(new URL('./scale-child.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    return await new Promise<SectionResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('scale section did not end within 10 min')), 600_000);
      child.once('message', (reply: { result?: SectionResult; error?: string }) => {
        clearTimeout(timer);
        if (reply.result) resolve(reply.result);
        else reject(new Error(reply.error ?? 'scale section failed'));
      });
      child.once('exit', (code) => reject(new Error(`scale section exited (${code})`)));
      child.send({ root, options });
    });
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

export async function scaleInThisProcess(root: string, options: BenchOptions): Promise<SectionResult> {
  const started = performance.now();
  const log = runtimeLog(root, 'runtime-scale.log');
  log.reset();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 100);
  const dataDir = options.scaleOnDisk ? mkdtempSync(join(tmpdir(), 'bench-scale-')) : undefined;
  const runtime = await startRuntime({ port: 0, stackDelayMs: STACK_DELAY_MS, dataDir });
  const rssIdle = process.memoryUsage().rss;
  try {
    const api = apiClient(runtime.url, runtime.tokenFor('bench'));

    // The lock as subscribers see it: per stage, no operation RUNNING while another one is.
    const running = new Map<string, string>();
    const overlaps: Overlap[] = [];
    const operationStatus = new Map<string, string>();
    runtime.bus.subscribe((event: BusEvent) => {
      if (event['detail-type'] !== 'Operation Status Change') return;
      const d = event.detail as { operationId: string; stackId: string; stageName: string; status: string };
      const stage = `${d.stackId}/${d.stageName}`;
      operationStatus.set(d.operationId, d.status);
      if (d.status === 'RUNNING') {
        const holder = running.get(stage);
        if (holder && holder !== d.operationId)
          overlaps.push({ stage, running: holder, started: d.operationId });
        running.set(stage, d.operationId);
      } else if (running.get(stage) === d.operationId) {
        running.delete(stage);
      }
    });

    const stackIds = await mapLimit(Array.from({ length: options.scaleStacks }), 5, () => createStack(api));
    const stages = stackIds.flatMap((stackId) =>
      Array.from({ length: options.scaleStagesPerStack }, (_, i) => ({ stackId, name: `stage-${i}` })),
    );
    const statuses = new Map<string, number>();
    const count = (status: number, kind: string) =>
      statuses.set(`${kind} ${status}`, (statuses.get(`${kind} ${status}`) ?? 0) + 1);
    const operations: string[] = [];

    const t0 = performance.now();
    const creates = Promise.all(
      stages.map(async (s) => {
        const reply = await api.post<OperationReply>(`/v1/stacks/${s.stackId}/stages`, { name: s.name });
        count(reply.status, 'POST');
        if (reply.body.operation?.operationId) operations.push(reply.body.operation.operationId);
        return reply;
      }),
    );
    // Competing changes while the creates run: each must wait for the lock (409), find no stage yet
    // (404), or start an operation of its own once the stage is free (202).
    const patches = (async () => {
      const replies: { status: number; code?: string }[] = [];
      for (let burst = 0; burst < PATCH_BURSTS; burst++) {
        const targets = Array.from(
          { length: PATCH_BURST_SIZE },
          () => stages[Math.floor(Math.random() * stages.length)]!,
        );
        const out = await Promise.all(
          targets.map((s) =>
            api.patch<OperationReply>(`/v1/stacks/${s.stackId}/stages/${s.name}`, {
              environment: { BURST: String(burst) },
            }),
          ),
        );
        for (const reply of out) {
          count(reply.status, 'PATCH');
          replies.push({ status: reply.status, code: reply.body.error?.code });
          if (reply.status === 202 && reply.body.operation?.operationId)
            operations.push(reply.body.operation.operationId);
        }
        await sleep(PATCH_BURST_INTERVAL_MS);
      }
      return replies;
    })();
    const createReplies = await creates;
    const patchReplies = await patches;
    const acceptedSeconds = round((performance.now() - t0) / 1000, 2);

    const ends = await Promise.all(operations.map((id) => operationEnd(api, id, WAIT_LIMIT_MS)));
    const allSeconds = round((performance.now() - t0) / 1000, 1);
    await Promise.race([runtime.workflows.idle(), sleep(30_000)]);

    const creates202 = createReplies.filter((r) => r.status === 202).length;
    const serverErrors = [...statuses.entries()].filter(([k]) => Number(k.split(' ')[1]) >= 500);
    // A PATCH may find the stage not written yet (404) or busy (409); nothing else is justified.
    const unjustified =
      patchReplies.filter((r) => ![202, 404, 409].includes(r.status)).length +
      createReplies.filter((r) => r.status !== 202).length;
    const succeeded = ends.filter((e) => e === 'SUCCEEDED').length;
    const creatOps = creates202;
    const rssPeakMb = round(rssPeak / MB, 0);
    const figures = {
      stacks: options.scaleStacks,
      stages: stages.length,
      stackDelayMs: STACK_DELAY_MS,
      onDisk: dataDir !== undefined,
      statuses: Object.fromEntries(statuses),
      operations: operations.length,
      createOperations: creatOps,
      succeeded,
      notEnded: ends.filter((e) => e === undefined).length,
      failed: ends.filter((e) => e === 'FAILED').length,
      acceptedSeconds,
      allEndedSeconds: allSeconds,
      lockOverlaps: overlaps,
      unjustifiedResponses: unjustified,
      runtimeLogErrors: log.counts.error,
      rssBeforeMb: round(rssBefore / MB, 0),
      rssIdleMb: round(rssIdle / MB, 0),
      rssPeakMb,
      maxRssLifetimeMb: round((resourceUsage().maxRSS * 1024) / MB, 0),
    };
    const statusText = [...statuses.entries()].map(([k, v]) => `${k}×${v}`).join(', ');
    const rows: Row[] = [
      {
        section: 'scale',
        item: `${stages.length} create-stage operations across ${options.scaleStacks} stacks, at once`,
        measured: `${succeeded}/${operations.length} SUCCEEDED (${creatOps} creates + ${operations.length - creatOps} PATCH rebuilds) in ${allSeconds} s`,
        reference: `stacks ${STACK_DELAY_MS / 1000} s per status step; data ${dataDir ? 'on disk' : 'in memory'}`,
        ratio: '',
        target: 'all SUCCEEDED',
        verdict: verdict(creatOps === stages.length && succeeded === operations.length),
      },
      {
        section: 'scale',
        item: 'responses',
        measured: `${statusText}; ${serverErrors.length === 0 ? 'no 5xx' : 'has 5xx'}; ${unjustified} unjustified; ${log.counts.error} runtime log errors`,
        reference: '',
        ratio: '',
        target: 'no 5xx; 202 or justified 4xx',
        verdict: verdict(serverErrors.length === 0 && unjustified === 0 && log.counts.error === 0),
      },
      {
        section: 'scale',
        item: 'stage lock (RUNNING while another RUNNING, per stage, on the bus)',
        measured: `${overlaps.length} overlaps over ${operations.length} operations`,
        reference: '',
        ratio: '',
        target: 'never double-held',
        verdict: verdict(overlaps.length === 0),
      },
      {
        section: 'scale',
        item: 'peak RSS of the server process (runtime + this driver, a fresh process)',
        measured: `${rssPeakMb} MB (${figures.rssBeforeMb} MB before the runtime started, ${figures.rssIdleMb} MB once it had)`,
        reference: '',
        ratio: '',
        target: 'reported',
        verdict: 'INFO',
      },
    ];
    return { rows, data: figures, seconds: round((performance.now() - started) / 1000) };
  } finally {
    clearInterval(sampler);
    await closeQuietly(runtime);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
