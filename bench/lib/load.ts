import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { percentile, round } from './stats';

/** Closed-loop HTTP load: `connections` requests in flight for `durationSeconds`, paths round-robin. */
export interface HttpJob {
  kind: 'http';
  url: string;
  method: string;
  paths: string[];
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

/** The same closed loop of raw DynamoDB calls, the floor the routes are compared with. */
export interface DynamoJob {
  kind: 'dynamo';
  /** Omitted in the server's process, where the runtime's own client is used. */
  endpoint?: string;
  operation: 'GetItem' | 'PutItem' | 'Query';
  tableName: string;
  /**
   * GetItem: the key read each time. PutItem: the item written, under a fresh sort key each time.
   * Query: `pk` is the partition and `sk` the sort-key prefix (begins_with), as the store's lists query.
   */
  item: Record<string, AttributeValue>;
  limit?: number;
  connections: number;
  durationSeconds: number;
}

export type LoadJob = HttpJob | DynamoJob;

/** What one run of a load job produced, kept whole so that several slices can be merged. */
export interface RawLoad {
  seconds: number;
  /** Latencies (ms) per HTTP status, or under 'ok' for DynamoDB calls. */
  byStatus: Record<string, number[]>;
  /** Connection errors, timeouts and exceptions. */
  failures: number;
  failureSamples: string[];
}

export interface LoadSummary {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses per HTTP status (HTTP loads). */
  statuses: Record<string, number>;
  /** p99 per HTTP status, so a mix of 202 and 409 can be told apart. */
  p99ByStatus: Record<string, number>;
  failures: number;
  failureSamples: string[];
}

/** Replaced in a job's body by a fresh value per request. */
export const UNIQUE = '{{unique}}';
const uniqueValue = () => randomBytes(6).toString('hex');

// Bounds memory whatever the machine's speed: far above what 10 s can produce here.
const MAX_SAMPLES = 2_000_000;

export function summarise(runs: RawLoad[]): LoadSummary {
  const byStatus = new Map<string, number[]>();
  for (const run of runs) {
    for (const [status, values] of Object.entries(run.byStatus)) {
      const list = byStatus.get(status) ?? [];
      for (const v of values) list.push(v);
      byStatus.set(status, list);
    }
  }
  const all = [...byStatus.values()].flat();
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const statuses: Record<string, number> = {};
  const p99ByStatus: Record<string, number> = {};
  for (const [status, values] of byStatus) {
    statuses[status] = values.length;
    p99ByStatus[status] = round(percentile(values, 99), 2);
  }
  return {
    requests: all.length,
    seconds: round(seconds, 2),
    rps: round(all.length / seconds, 0),
    p50: round(percentile(all, 50), 2),
    p99: round(percentile(all, 99), 2),
    max: round(percentile(all, 100), 2),
    statuses,
    p99ByStatus,
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    failureSamples: runs.flatMap((r) => r.failureSamples).slice(0, 3),
  };
}

export function runHttp(job: HttpJob): Promise<RawLoad> {
  const byStatus: Record<string, number[]> = {};
  let samples = 0;
  let next = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSeconds,
        timeout: 30,
        requests: [
          {
            method: job.method,
            headers: job.headers,
            ...(job.body !== undefined ? { body: job.body } : {}),
            setupRequest: (request) => ({
              ...request,
              path: job.paths[next++ % job.paths.length],
              // A value of its own per request where the body asks for one (stack names are unique).
              ...(job.body?.includes(UNIQUE) ? { body: job.body.replaceAll(UNIQUE, uniqueValue()) } : {}),
            }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        // autocannon's own clock covers exactly the requests it counted.
        const seconds = result.duration > 0 ? result.duration : (performance.now() - started) / 1000;
        const failures = result.errors + result.timeouts;
        const samples =
          failures > 0 ? [`${result.errors} connection errors, ${result.timeouts} timeouts`] : [];
        resolve({ seconds, byStatus, failures, failureSamples: samples });
      },
    );
    // autocannon's own histogram keeps only 2xx, in whole milliseconds; every response is kept here.
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (samples++ >= MAX_SAMPLES) return;
      (byStatus[String(statusCode)] ??= []).push(responseTime);
    });
  });
}

export async function runDynamo(job: DynamoJob, client?: DynamoDBClient): Promise<RawLoad> {
  const own = client
    ? undefined
    : new DynamoDBClient({
        endpoint: job.endpoint,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
  const dynamo = (client ?? own)!;
  const latencies: number[] = [];
  let failures = 0;
  const failureSamples: string[] = [];
  let sequence = 0;
  const started = performance.now();
  const deadline = started + job.durationSeconds * 1000;
  const command = () =>
    job.operation === 'GetItem'
      ? new GetItemCommand({ TableName: job.tableName, Key: job.item })
      : job.operation === 'Query'
        ? new QueryCommand({
            TableName: job.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': job.item.pk!, ':prefix': job.item.sk! },
            ...(job.limit ? { Limit: job.limit } : {}),
          })
        : new PutItemCommand({
            TableName: job.tableName,
            Item: { ...job.item, sk: { S: `BENCH#${process.pid}#${sequence++}` } },
          });
  const worker = async () => {
    while (performance.now() < deadline && latencies.length < MAX_SAMPLES) {
      const t0 = performance.now();
      try {
        await dynamo.send(command() as GetItemCommand);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures++;
        if (failureSamples.length < 3) failureSamples.push((error as Error).message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: job.connections }, worker));
  } finally {
    own?.destroy();
  }
  return {
    seconds: (performance.now() - started) / 1000,
    byStatus: { ok: latencies },
    failures,
    failureSamples,
  };
}

export function runLoad(job: LoadJob, client?: DynamoDBClient): Promise<RawLoad> {
  return job.kind === 'http' ? runHttp(job) : runDynamo(job, client);
}
