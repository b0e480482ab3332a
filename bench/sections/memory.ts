import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newStackBody } from '../lib/api';
import type { BenchOptions } from '../lib/options';
import { verdict, type Row, type SectionResult } from '../lib/report';
import { round } from '../lib/stats';
import type { MemorySample } from './memory-child';

/** What the issue measured: a list route read over and over. */
const PATH = '/v1/stacks?limit=5';
const STACKS = 10;
/** Requests in flight: a busy dashboard and its scripts, not a load test (the API section is that). */
const CONNECTIONS = 8;
const TARGET_MB = 20;
const MB = 1024 * 1024;

interface Child {
  url: string;
  token: string;
  ask(what: 'sample' | 'gc'): Promise<MemorySample>;
  close(): Promise<void>;
}

async function startChild(): Promise<Child> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./memory-child.ts', import.meta.url)), [], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the memory child did not answer in 120 s')), 120_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
    });
  const { url, token } = await next<{ url: string; token: string }>();
  return {
    url,
    token,
    async ask(what) {
      const reply = next<{ sample: MemorySample }>();
      child.send(what);
      return (await reply).sample;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

/** `count` GETs of the list route, `CONNECTIONS` at a time; every answer must be a 200. */
async function load(child: Child, count: number): Promise<{ seconds: number; failures: number }> {
  const started = performance.now();
  let left = count;
  let failures = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) {
        const res = await fetch(`${child.url}${PATH}`, {
          headers: { authorization: `Bearer ${child.token}` },
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
      }
    }),
  );
  return { seconds: round((performance.now() - started) / 1000), failures };
}

const mb = (bytes: number) => round(bytes / MB);

/**
 * RSS of the embedded runtime (as `npm start` runs it) across 20,000 list requests: before, after,
 * and after a full GC. A first round of as many requests comes before: it takes the process to the
 * size this load needs (V8's heap, the allocator's arenas, LevelDB's caches), which it keeps and
 * reuses; a leak is what the second round adds on top. Both rounds are reported.
 */
export async function runMemory(_root: string, options: BenchOptions): Promise<SectionResult> {
  const started = performance.now();
  const requests = options.quick ? 2_000 : 20_000;
  const child = await startChild();
  try {
    for (let i = 0; i < STACKS; i++) {
      const res = await fetch(`${child.url}/v1/stacks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${child.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(newStackBody()),
      });
      if (res.status !== 201) throw new Error(`POST /v1/stacks: ${res.status}`);
    }
    const idle = await child.ask('gc');
    const warmUp = await load(child, requests);
    const warm = await child.ask('gc');
    const measured = await load(child, requests);
    const after = await child.ask('sample');
    const afterGc = await child.ask('gc');

    const growth = afterGc.rss - warm.rss;
    const heapGrowth = afterGc.heapUsed - warm.heapUsed;
    const failures = warmUp.failures + measured.failures;
    const rows: Row[] = [
      {
        section: 'memory',
        item: `RSS over ${requests.toLocaleString('en')} GET ${PATH} (${CONNECTIONS} connections): before → after → after GC`,
        measured: `${mb(warm.rss)} → ${mb(after.rss)} → ${mb(afterGc.rss)} MB: +${mb(growth)} MB`,
        reference: `JS heap after GC ${mb(warm.heapUsed)} → ${mb(afterGc.heapUsed)} MB`,
        ratio: '',
        target: `< ${TARGET_MB} MB`,
        verdict: failures > 0 ? 'ERROR' : verdict(growth < TARGET_MB * MB),
      },
      {
        section: 'memory',
        item: `the first ${requests.toLocaleString('en')} (warm-up): the size this load needs`,
        measured: `${mb(idle.rss)} → ${mb(warm.rss)} MB after GC (+${mb(warm.rss - idle.rss)} MB)`,
        reference: `${warmUp.seconds} s and ${measured.seconds} s for the two rounds`,
        ratio: '',
        target: '',
        verdict: 'INFO',
      },
    ];
    return {
      rows,
      data: {
        path: PATH,
        connections: CONNECTIONS,
        requests,
        idle,
        warm,
        after,
        afterGc,
        growth,
        heapGrowth,
        failures,
        warmUp,
        measured,
      },
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    await child.close();
  }
}
