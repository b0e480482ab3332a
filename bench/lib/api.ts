import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setLogSink } from '../../src/log';
import type { Runtime } from '../../src/local/runtime';
import { sleep, waitFor } from './stats';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export type Api = ReturnType<typeof apiClient>;

const SLOW_REQUEST_MS = 5_000;
/** Requests of the bench's own client that took longer than SLOW_REQUEST_MS (the first few are printed). */
export const slowRequests = { count: 0 };

export function apiClient(baseUrl: string, token: string) {
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    // A request this slow means the runtime's one thread is starved; worth knowing when reading figures.
    if (ms > SLOW_REQUEST_MS && slowRequests.count++ < 3)
      process.stderr.write(`slow request: ${method} ${path} took ${Math.round(ms)} ms\n`);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed as T };
  };
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    patch: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  };
}

/** Stack names are unique per tenant: `{{unique}}` in a load's body is replaced per request (lib/load.ts). */
export const NEW_STACK = {
  name: 'bench-{{unique}}',
  repository: 'acme/shop',
  branch: 'main',
  region: 'us-east-1',
};

/** A stack's body with a name of its own. */
export const newStackBody = () => ({ ...NEW_STACK, name: `bench-${randomBytes(6).toString('hex')}` });

export interface OperationReply {
  operation?: { operationId: string; status: string };
  error?: { code?: string; message?: string; field?: string };
}

export async function createStack(api: Api): Promise<string> {
  const reply = await api.post<{ stackId?: string }>('/v1/stacks', newStackBody());
  if (reply.status !== 201 || !reply.body.stackId) throw new Error(`POST /v1/stacks: ${reply.status}`);
  return reply.body.stackId;
}

/** Ends SUCCEEDED or FAILED, or undefined when `timeoutMs` passed first. */
export async function operationEnd(api: Api, operationId: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const reply = await api.get<{ status?: string }>(`/v1/operations/${operationId}`);
      const status = reply.body.status;
      return status === 'SUCCEEDED' || status === 'FAILED' ? status : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Creates a stage and waits until it is ACTIVE; throws otherwise. */
export async function createActiveStage(api: Api, stackId: string, name: string, timeoutMs = 60_000) {
  const reply = await api.post<OperationReply>(`/v1/stacks/${stackId}/stages`, { name });
  const operationId = reply.body.operation?.operationId;
  if (reply.status !== 202 || !operationId) throw new Error(`POST stage ${name}: ${reply.status}`);
  const end = await operationEnd(api, operationId, timeoutMs);
  if (end !== 'SUCCEEDED')
    throw new Error(`stage ${name}: create ended ${end ?? 'not within the time limit'}`);
  return operationId;
}

export interface RuntimeLog {
  counts: { warn: number; error: number };
  firstErrors: string[];
  reset(): void;
}

let captured: RuntimeLog | undefined;

/**
 * The runtime's log lines go to bench/results/runtime.log, not between the table's lines; warnings
 * and errors are counted, since a quiet benchmark with a noisy server is not a clean run.
 */
export function runtimeLog(root: string, file = 'runtime.log'): RuntimeLog {
  if (captured) return captured;
  const stream = createWriteStream(join(root, 'bench/results', file), { flags: 'w' });
  const log: RuntimeLog = {
    counts: { warn: 0, error: 0 },
    firstErrors: [],
    reset: () => {
      log.counts.warn = 0;
      log.counts.error = 0;
      log.firstErrors.length = 0;
    },
  };
  setLogSink((line) => {
    stream.write(`${line}\n`);
    if (line.includes('"level":"warn"')) log.counts.warn++;
    if (line.includes('"level":"error"')) {
      log.counts.error++;
      if (log.firstErrors.length < 3) log.firstErrors.push(line.slice(0, 300));
    }
  });
  captured = log;
  return log;
}

/**
 * Closes a runtime once it is quiet: workflows ended, and the bus's last deliveries (status events
 * fanned out to subscriptions, which read the table) done, so none of them meets a closed dynalite.
 */
export async function closeQuietly(runtime: Runtime, limitMs = 30_000): Promise<void> {
  await Promise.race([runtime.workflows.idle(), sleep(limitMs)]);
  await sleep(300);
  // Present once webhook subscriptions exist (issue #4); read loosely so the bench builds either way.
  const webhooks = (runtime as { webhooks?: { idle?: () => Promise<void> } }).webhooks;
  await Promise.race([webhooks?.idle?.(), sleep(5_000)]);
  await runtime.close();
}
