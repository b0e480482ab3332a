import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, stop, type Metafile } from 'esbuild';
import type { BenchOptions } from '../lib/options';
import { verdict, type Row, type SectionResult } from '../lib/report';
import { dashboardWalk } from '../lib/dashboard-walk';
import { deployedBuild, functionEntries, loadTimeEnv, readServerlessYml } from '../lib/serverless-config';
import { fmt, median, round } from '../lib/stats';

/**
 * Issue 12: the init time of every function (a deployment unit) at most 1.5× the bare DynamoDB
 * client's; the size is reported beside it, as what explains the time.
 */
const TARGET_RATIO = 1.5;
const BASELINE = 'bench/fixtures/baseline-handler.ts';
/** The baseline once more, as if it were a function: how far from 1.00 noise alone moves a ratio. */
const NOISE_CHECK = 'baseline vs itself (noise check)';
/** Issue 12: the functions a dashboard session wakes, at most. */
const WALK_TARGET = 4;
const LOAD_TIMEOUT_MS = 30_000;

// Timed inside the child, so Node's own start-up (the same for every bundle) stays out of the figure.
const LOADER = `const started = performance.now();
const mod = await import(process.argv[2]);
const ms = performance.now() - started;
if (typeof mod.handler !== 'function') { console.error('Error: no handler export'); process.exit(2); }
process.stdout.write(JSON.stringify({ ms }));
`;

export interface BundleFigures {
  name: string;
  file: string;
  inServerlessYml: boolean;
  bytes: number;
  /** Load times, and the baseline's load that ran at the same moment, pair by pair. */
  initMs: number[];
  baselineMs: number[];
  sizeRatio: number;
  /** Median over the pairs of (this load / the baseline's load beside it). */
  initRatio: number;
  /** median(init) / median(baseline), for comparison with the paired figure. */
  initRatioOfMedians: number;
  /** What this bundle holds beyond the baseline, largest first: package → KB. */
  extraKb: Record<string, number>;
  error?: string;
}

/** Two decimals, or three where two would round a miss onto the threshold (1.404 is not 1.40). */
const ratioText = (ratio: number) => fmt(ratio, Math.abs(ratio - TARGET_RATIO) < 0.005 ? 3 : 2);

function loadOnce(loader: string, bundle: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loader, pathToFileURL(bundle).href], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), LOAD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        // A minified bundle's stack is one long line; the error's own line says what went wrong.
        const line = err.split('\n').find((l) => /^\w*Error\b/.test(l)) ?? err.trim().split('\n').pop();
        return reject(new Error(`exit ${code}: ${(line ?? '').slice(0, 200)}`));
      }
      try {
        resolve((JSON.parse(out) as { ms: number }).ms);
      } catch {
        reject(new Error(`unreadable loader output: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Bytes in a bundle per package (node_modules/<pkg>), or per top folder for the project's code. */
function bytesByPackage(metafile: Metafile, output: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/')[0]!;
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  return sizes;
}

export async function runBundles(root: string, options: BenchOptions): Promise<SectionResult> {
  const started = performance.now();
  const yml = readServerlessYml(root);
  const { options: buildOptions, outExtension, source } = deployedBuild(yml);
  const entries = functionEntries(root, yml).filter(
    (e) =>
      !options.bundleFilter || e.name.includes(options.bundleFilter) || e.file.includes(options.bundleFilter),
  );
  const env = loadTimeEnv(root, yml);
  const outdir = mkdtempSync(join(tmpdir(), 'tinystacks-bench-'));
  try {
    // One esbuild call with many entry points and no splitting yields the same files as one call each.
    const entryPoints = [BASELINE, ...entries.map((e) => e.file)].map((file) => ({
      in: join(root, file),
      out: file.replace(/\.ts$/, ''),
    }));
    const { metafile } = await build({
      ...buildOptions,
      absWorkingDir: root,
      entryPoints,
      outdir,
      write: true,
      metafile: true,
      logLevel: 'error',
    });
    const bundleOf = (file: string) => join(outdir, file.replace(/\.ts$/, outExtension));
    const outputKey = (file: string) => relative(root, bundleOf(file)).split('\\').join('/');
    const loader = join(outdir, 'load.mjs');
    writeFileSync(loader, LOADER);

    const baselineBundle = bundleOf(BASELINE);
    const baselineBytes = statSync(baselineBundle).size;
    const baselinePackages = bytesByPackage(metafile, outputKey(BASELINE));
    const subjects = [{ name: NOISE_CHECK, file: BASELINE, inServerlessYml: false }, ...entries].map((e) => ({
      ...e,
      bundle: bundleOf(e.file),
    }));

    // Each pair is a baseline load and a subject load started together (parallelism 2), so whatever
    // else the machine does lands on both; runs go round all the subjects before the next run, so a
    // slow minute is spread over every bundle rather than spoiling one.
    const timings = subjects.map(() => ({ init: [] as number[], baseline: [] as number[], error: '' }));
    const pairs = Array.from({ length: options.initRuns }, (_, run) =>
      subjects.map((s, index) => ({ run, index, s })),
    ).flat();
    process.stderr.write(
      `bundles: ${subjects.length} bundles × ${options.initRuns} runs = ${pairs.length} pairs of fresh-process loads\n`,
    );
    let done = 0;
    for (const { run, index, s } of pairs) {
      const slot = timings[index]!;
      if (slot.error) continue;
      // Which of the two starts first alternates, so spawn order favours neither.
      const order = run % 2 === 0 ? [baselineBundle, s.bundle] : [s.bundle, baselineBundle];
      try {
        const [first, second] = await Promise.all(order.map((bundle) => loadOnce(loader, bundle, env)));
        slot.baseline.push(run % 2 === 0 ? first! : second!);
        slot.init.push(run % 2 === 0 ? second! : first!);
      } catch (error) {
        slot.error = (error as Error).message;
      }
      if (++done % 200 === 0) {
        const elapsed = (performance.now() - started) / 1000;
        process.stderr.write(`bundles: ${done}/${pairs.length} pairs, ${Math.round(elapsed)} s\n`);
      }
    }

    const figures: BundleFigures[] = subjects.map((s, i) => {
      const t = timings[i]!;
      const bytes = statSync(s.bundle).size;
      const extra = [...bytesByPackage(metafile, outputKey(s.file))]
        .map(([pkg, b]) => [pkg, b - (baselinePackages.get(pkg) ?? 0)] as const)
        .filter(([, b]) => b > 1024)
        .sort((a, b) => b[1] - a[1]);
      return {
        name: s.name,
        file: s.file,
        inServerlessYml: s.inServerlessYml,
        bytes,
        initMs: t.init.map((v) => round(v, 2)),
        baselineMs: t.baseline.map((v) => round(v, 2)),
        sizeRatio: round(bytes / baselineBytes, 3),
        initRatio: round(median(t.init.map((v, k) => v / t.baseline[k]!)), 3),
        initRatioOfMedians: round(median(t.init) / median(t.baseline), 3),
        extraKb: Object.fromEntries(extra.map(([pkg, b]) => [pkg, round(b / 1024)])),
        ...(t.error ? { error: t.error } : {}),
      };
    });
    const allBaseline = figures.flatMap((f) => f.baselineMs);
    const rows: Row[] = figures.map((f) => {
      const kb = (b: number) => `${fmt(b / 1024)} KB`;
      const ok = f.initRatio <= TARGET_RATIO;
      const label =
        f.inServerlessYml || f.name === NOISE_CHECK ? f.name : `${f.name} (not in serverless.yml)`;
      // A miss names what the bundle carries beyond the baseline: the first place to look.
      const heaviest = Object.entries(f.extraKb)
        .slice(0, 3)
        .map(([pkg, k]) => `${pkg} +${fmt(k, 0)} KB`)
        .join(', ');
      const measured = f.error
        ? `load failed: ${f.error}`
        : `${kb(f.bytes)} · ${fmt(median(f.initMs))} ms${!ok && heaviest ? ` (beyond baseline: ${heaviest})` : ''}`;
      return {
        section: 'bundles',
        item: label,
        measured,
        reference: `${kb(baselineBytes)} · ${fmt(median(f.baselineMs))} ms`,
        ratio: `${ratioText(f.sizeRatio)}× · ${ratioText(f.initRatio)}×`,
        target: f.name === NOISE_CHECK ? '≈1.00× (noise)' : `size – · init ≤${TARGET_RATIO}×`,
        verdict: f.error ? 'ERROR' : f.name === NOISE_CHECK ? 'INFO' : verdict(ok),
      };
    });
    // Cold starts in a dashboard session: the functions the README's walk-throughs reach.
    const walk = dashboardWalk(root);
    rows.push({
      section: 'bundles',
      item: 'dashboard walk: distinct functions (cold starts)',
      measured: `${walk.units.length}: ${walk.units.join(', ')}`,
      reference: `${walk.routes.length} routes in ${walk.calls} calls`,
      ratio: '',
      target: `≤${WALK_TARGET}`,
      verdict: verdict(walk.units.length <= WALK_TARGET),
    });
    return {
      rows,
      data: {
        dashboardWalk: walk,
        buildOptionsFrom: source,
        buildOptions,
        runsPerBundle: options.initRuns,
        parallelism: 2,
        initRatio: 'median over runs of (bundle load / baseline load started at the same moment)',
        baseline: {
          file: BASELINE,
          bytes: baselineBytes,
          initMedianMs: round(median(allBaseline), 2),
          packagesKb: Object.fromEntries([...baselinePackages].map(([p, b]) => [p, round(b / 1024)])),
        },
        targetRatio: TARGET_RATIO,
        bundles: figures,
      },
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    await stop();
  }
}
