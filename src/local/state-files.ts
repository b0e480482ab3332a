import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { appendFile, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * How the embedded runtime keeps what its simulated services hold under the data folder, so that a
 * restart (or a `kill -9`) finds what AWS would still have.
 *
 * A document is replaced whole and atomically: written to a temporary file beside it, flushed to
 * disk, then renamed over the old one, so a reader (or the next start) sees the old document or the
 * new one, never half of either. Histories (stack events, log lines) are appended a line at a time;
 * a line cut short by a crash is skipped when read back.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The same, off the event loop (the file system calls run on libuv's thread pool). */
export async function writeFileAtomicAsync(file: string, text: string, mode = 0o600): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value));
}

/** The document, or undefined when there is none yet. */
export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const jsonLines = (records: unknown[]) =>
  records.map((record) => `${JSON.stringify(record)}\n`).join('');

/** Appends text made by `jsonLines`, off the event loop. */
export async function appendJsonLinesAsync(file: string, lines: string, mode = 0o600): Promise<void> {
  if (lines !== '') await appendFile(file, lines, { mode });
}

/** Appends records, one JSON line each (a `write(2)`: kept by the kernel if the process dies). */
export function appendJsonLines(file: string, records: unknown[], mode = 0o600): void {
  if (records.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, jsonLines(records), { mode });
}

/**
 * Every complete record of a JSON-lines file. A last line cut short by a crash is left out, and cut
 * off the file, so that the next append starts a line of its own.
 */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length < text.length) {
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, Buffer.byteLength(complete));
    } finally {
      closeSync(fd);
    }
  }
  const records: T[] = [];
  for (const line of complete.split('\n')) {
    if (line !== '') records.push(JSON.parse(line) as T);
  }
  return records;
}

/** Where each simulated service keeps its state under the data folder (the README lists them). */
export function simulatedStateOf(dataDir: string | undefined) {
  if (!dataDir) return {};
  const root = join(dataDir, 'simulated');
  return {
    /** CloudFormation: a document and an events file per stack, and the failure rules. */
    cloudFormation: join(root, 'cloudformation'),
    /** Secrets Manager, SSM Parameter Store (key pairs), what each database was told its password is, snapshots. */
    customerAccount: join(root, 'customer-account.json'),
    /** CodePipeline's executions. */
    codePipeline: join(root, 'codepipeline.json'),
    /** CloudWatch Logs: the stages' app and access logs. */
    logs: join(root, 'logs.jsonl'),
    /** SQS: webhook deliveries waiting for their next attempt. */
    webhookQueue: join(root, 'webhook-queue.json'),
  };
}
