import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slowRequests } from './lib/api';
import { parseOptions, SECTIONS, type BenchOptions, type Section } from './lib/options';
import { renderTable, type Row, type SectionResult } from './lib/report';
import { round } from './lib/stats';
import { runApi } from './sections/api';
import { runBundles } from './sections/bundles';
import { runDashboard } from './sections/dashboard';
import { runMemory } from './sections/memory';
import { runScale } from './sections/scale';
import { runWorkflows } from './sections/workflows';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const started = performance.now();
  const runners: Record<Section, () => Promise<SectionResult>> = {
    bundles: () => runBundles(root, options),
    api: () => runApi(root, options),
    workflows: () => runWorkflows(root, options),
    scale: () => runScale(root, options),
    dashboard: () => runDashboard(root, options),
    memory: () => runMemory(root, options),
  };
  const results: Partial<Record<Section, SectionResult>> = {};
  const rows: Row[] = [];
  // A library failing inside a runtime being closed must not end the run; it is reported instead.
  const uncaught: string[] = [];
  process.on('uncaughtException', (error) => {
    uncaught.push(error.stack ?? String(error));
    process.stderr.write(`uncaught exception (reported in the table): ${error.stack ?? String(error)}\n`);
  });
  // Other work on a shared machine moves every figure; the load average says how much there was.
  const machineLoad: Partial<Record<Section, { before: number; after: number }>> = {};
  for (const section of options.sections) {
    process.stderr.write(`\n== ${section} ==\n`);
    const before = round(loadavg()[0]!, 2);
    const slowBefore = slowRequests.count;
    try {
      const result = await runners[section]();
      const slow = slowRequests.count - slowBefore;
      if (slow > 0)
        process.stderr.write(`${section}: ${slow} requests of the bench's client took over 5 s\n`);
      machineLoad[section] = { before, after: round(loadavg()[0]!, 2) };
      results[section] = result;
      rows.push(...result.rows);
      process.stderr.write(`${section}: ${result.seconds} s\n`);
    } catch (error) {
      // One broken section must not hide the others' figures.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${section} failed: ${message}\n`);
      rows.push({
        section,
        item: 'section failed',
        measured: (error as Error).message ?? String(error),
        reference: '',
        ratio: '',
        target: '',
        verdict: 'ERROR',
      });
    }
  }
  if (uncaught.length > 0) {
    rows.push({
      section: options.sections[options.sections.length - 1]!,
      item: 'uncaught exceptions during the run',
      measured: `${uncaught.length}: ${uncaught[0]!.split('\n')[0]}`,
      reference: '',
      ratio: '',
      target: 'none',
      verdict: 'ERROR',
    });
  }
  const totalSeconds = round((performance.now() - started) / 1000);
  const full = !options.quick && options.sections.length === SECTIONS.length;
  const environment = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: round(totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
  };

  const table = renderTable(rows);
  console.log(
    `\nTinyStacks benchmark — ${new Date().toISOString()} — ${environment.node}, ${environment.cpus} CPUs`,
  );
  console.log(
    `options: ${options.quick ? 'QUICK (smoke run, not for comparison) ' : ''}sections=${options.sections.join(',')}`,
  );
  console.log(table);
  const loads = Object.entries(machineLoad).map(([s, l]) => `${s} ${l.before}→${l.after}`);
  console.log(`1-min load average (${environment.cpus} CPUs) before→after: ${loads.join(', ')}`);
  console.log(`total: ${totalSeconds} s`);

  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  // A partial or quick run must not overwrite the last full one.
  const file = join(resultsDir, full ? 'latest.json' : 'latest-partial.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), totalSeconds, environment, machineLoad, options, rows, table, uncaught, sections: results }, null, 2)}\n`,
  );
  console.log(`written: ${file.slice(root.length + 1)}`);

  const failed = rows.some((r) => r.verdict === 'ERROR' || (options.strict && r.verdict === 'MISS'));
  // Runtimes, sockets and child processes are closed by the sections; exit explicitly anyway so a
  // lingering handle in a library can never keep the benchmark alive.
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
