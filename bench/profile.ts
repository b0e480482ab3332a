import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRuntime, type Runtime } from '../src/local/runtime';
import { apiClient, closeQuietly, createActiveStage, createStack, runtimeLog } from './lib/api';
import { summarise, type LoadJob } from './lib/load';
import { childRunner } from './lib/load-host';
import { fmt, sleep } from './lib/stats';

/**
 * Where the server process's CPU goes, sampled by V8's profiler; self time is grouped by package
 * (node_modules/<pkg>), by folder under src/, or as Node's internals.
 *
 *   npx tsx bench/profile.ts get-stage|list-stacks|get-item [seconds]
 *     32 requests in flight from a child process (as in the benchmark) against the runtime here.
 *   npx tsx bench/profile.ts resume-burst [creates]
 *     creates at once on 1 s stacks, sampled from the first stack's CREATE_COMPLETE until every
 *     workflow has ended: what a workflow costs between its stack's event and its status event.
 */
interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function groupOf(url: string): string {
  if (!url) return '(native / gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:$1');
  return url.replace(/^.*\//, '');
}

function report(profile: Profile, groups = 20, functions = 25) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const group = functionName === '(idle)' ? '(idle)' : groupOf(url);
    byGroup.set(group, (byGroup.get(group) ?? 0) + dt);
    const fn = `${group} ${functionName || '(anonymous)'}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  const busy = total - (byGroup.get('(idle)') ?? 0);
  console.log(
    `sampled ${fmt(total / 1000, 0)} ms, CPU busy ${fmt((busy / total) * 100)} %; self time by group:`,
  );
  for (const [group, us] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, groups))
    console.log(`  ${fmt((us / total) * 100).padStart(5)} %  ${fmt(us / 1000, 0).padStart(6)} ms  ${group}`);
  console.log('top functions:');
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, functions))
    console.log(`  ${fmt((us / total) * 100).padStart(5)} %  ${fn}`);
  return busy;
}

async function profiled<T>(
  work: (start: () => Promise<void>) => Promise<T>,
): Promise<{ result: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const result = await work(() => session.post('Profiler.start'));
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  return { result, profile };
}

async function routeLoad(runtime: Runtime, what: string, seconds: number) {
  const api = apiClient(runtime.url, runtime.tokenFor('bench'));
  const stackId = await createStack(api);
  await createActiveStage(api, stackId, 'dev');
  // As in the benchmark, a list page of 8 stacks.
  if (what === 'list-stacks') for (let i = 1; i < 8; i++) await createStack(api);
  await runtime.workflows.idle();
  const child = await childRunner();
  const job: LoadJob =
    what === 'get-item'
      ? {
          kind: 'dynamo',
          endpoint: runtime.dynamo.endpoint,
          operation: 'GetItem',
          tableName: 'tinystacks-local',
          item: { pk: { S: `T#bench#S#${stackId}` }, sk: { S: 'STAGE#dev' } },
          connections: 32,
          durationSeconds: seconds,
        }
      : {
          kind: 'http',
          url: runtime.url,
          method: 'GET',
          paths: [what === 'list-stacks' ? '/v1/stacks' : `/v1/stacks/${stackId}/stages/dev`],
          headers: { authorization: `Bearer ${runtime.tokenFor('bench')}` },
          connections: 32,
          durationSeconds: seconds,
        };
  await child.run({ ...job, durationSeconds: 1 });
  const { result, profile } = await profiled(async (start) => {
    await start();
    return child.run(job);
  });
  await child.close();
  const summary = summarise([result]);
  console.log(
    `${what}: p50 ${summary.p50} ms, p99 ${summary.p99} ms, ${summary.rps} req/s over ${seconds} s`,
  );
  report(profile);
}

async function resumeBurst(runtime: Runtime, creates: number) {
  const api = apiClient(runtime.url, runtime.tokenFor('bench'));
  const stackIds = await Promise.all(Array.from({ length: Math.ceil(creates / 5) }, () => createStack(api)));
  await runtime.workflows.idle();
  runtime.cloudFormation.setDelay(1000);
  const stages = Array.from({ length: creates }, (_, i) => ({
    stackId: stackIds[Math.floor(i / 5)]!,
    name: `s${i % 5}`,
  }));
  const { profile } = await profiled(async (start) => {
    let started: Promise<void> | undefined;
    const unsubscribe = runtime.bus.subscribe((event) => {
      const status = (event.detail as { 'status-details'?: { status?: string } })['status-details']?.status;
      if (status === 'CREATE_COMPLETE') started ??= start();
    });
    await Promise.all(stages.map((s) => api.post(`/v1/stacks/${s.stackId}/stages`, { name: s.name })));
    await runtime.workflows.idle();
    await sleep(200);
    unsubscribe();
    await started;
  });
  const busy = report(profile);
  console.log(
    `${creates} creates resumed: ${fmt(busy / 1000 / creates)} ms of CPU each after their stack's event`,
  );
}

async function main() {
  const what = process.argv[2] ?? 'get-stage';
  const amount = Math.min(200, Number(process.argv[3] ?? (what === 'resume-burst' ? 20 : 10)));
  runtimeLog(root, 'runtime-profile.log');
  const runtime = await startRuntime({ port: 0, stackDelayMs: 20 });
  try {
    if (what === 'resume-burst') await resumeBurst(runtime, amount);
    else await routeLoad(runtime, what, amount);
  } finally {
    await closeQuietly(runtime);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
