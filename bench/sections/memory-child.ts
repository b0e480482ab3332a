import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogSink } from '../../src/log';
import { startRuntime } from '../../src/local/runtime';

/**
 * The embedded runtime as `npm start` runs it (a data folder, so classic-level under dynalite), in
 * a process of its own started with --expose-gc, answering the memory section's questions over IPC:
 * its URL and a token, then its memory, before or after a full GC.
 */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

setLogSink(() => {});
const dataDir = mkdtempSync(join(tmpdir(), 'tinystacks-bench-memory-'));
const runtime = await startRuntime({ port: 0, dataDir, stackDelayMs: 50 });
const gc = (globalThis as { gc?: () => void }).gc;

const sample = (): MemorySample => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
};

process.on('message', (message: 'sample' | 'gc' | 'close') => {
  if (message === 'close') {
    void runtime.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
    return;
  }
  if (message === 'gc') {
    // Twice, with a pause: native memory is freed by finalizers that run after a collection.
    gc?.();
    setTimeout(() => {
      gc?.();
      process.send?.({ sample: sample() });
    }, 200);
    return;
  }
  process.send?.({ sample: sample() });
});
process.send?.({ url: runtime.url, token: runtime.tokenFor('bench') });
