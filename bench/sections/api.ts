import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { keys } from '../../src/store/keys';
import { DEFAULT_PAGE_SIZE } from '../../src/store/page';
import { apiClient, closeQuietly, createActiveStage, createStack, NEW_STACK, runtimeLog } from '../lib/api';
import { summarise, type DynamoJob, type HttpJob, type LoadSummary, type RawLoad } from '../lib/load';
import { childRunner, inProcessRunner, type LoadRunner } from '../lib/load-host';
import type { BenchOptions } from '../lib/options';
import { verdict, type Row, type SectionResult } from '../lib/report';
import { fmt, mapLimit, round, sleep } from '../lib/stats';

const TARGET_READ_RATIO = 2;
const WARMUP_SECONDS = 1;
const STACKS = 8;
const STAGES_PER_STACK = 4;
const TABLE = 'tinystacks-local';
const LOAD_STACK_DELAY_MS = 500;

interface Scenario {
  name: string;
  kind: 'read' | 'write';
  http: Omit<HttpJob, 'kind' | 'url' | 'connections' | 'durationSeconds'>;
  /** Statuses that are answers, not errors: a busy stage's 409 is the lock doing its job. */
  expected: string[];
  floor: Omit<DynamoJob, 'kind' | 'connections' | 'durationSeconds' | 'endpoint'>;
}

export interface ApiFigures {
  name: string;
  kind: 'read' | 'write';
  generator: 'child' | 'inprocess';
  route: LoadSummary;
  floor: LoadSummary;
  floorGenerator: 'child' | 'inprocess';
  errors: number;
  ratioP99: number;
  target?: string;
  pass: boolean;
}

function errorsOf(summary: LoadSummary, expected: string[]): number {
  const unexpected = Object.entries(summary.statuses)
    .filter(([status]) => !expected.includes(status))
    .reduce((sum, [, count]) => sum + count, 0);
  return unexpected + summary.failures;
}

const latency = (s: LoadSummary) =>
  `p50 ${fmt(s.p50, 2)} · p99 ${fmt(s.p99, 2)} ms · ${s.rps.toLocaleString('en-US')} req/s`;

async function setup(runtime: Runtime) {
  const api = apiClient(runtime.url, runtime.tokenFor('bench'));
  const stackIds = await mapLimit(Array.from({ length: STACKS }), 4, () => createStack(api));
  const stages = stackIds.flatMap((stackId) =>
    Array.from({ length: STAGES_PER_STACK }, (_, i) => ({ stackId, name: `s${i}` })),
  );
  await mapLimit(stages, 8, (s) => createActiveStage(api, s.stackId, s.name));
  return { stackIds, stages };
}

const marshall = (key: { pk: string; sk: string }) => ({ pk: { S: key.pk }, sk: { S: key.sk } });

async function itemOf(
  runtime: Runtime,
  key: { pk: string; sk: string },
): Promise<Record<string, AttributeValue>> {
  const out = await runtime.dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: marshall(key) }));
  if (!out.Item) throw new Error(`no item ${JSON.stringify(key)}`);
  return out.Item;
}

/**
 * Route and floor alternate in slices (route, floor, route, floor …) that add up to the configured
 * duration each, so a neighbour's burst of CPU on this shared machine lands on both alike.
 */
const SLICES = 5;

export async function runApi(root: string, options: BenchOptions): Promise<SectionResult> {
  const started = performance.now();
  const log = runtimeLog(root);
  // Fast stacks while preparing; during the loads a rebuild's stack takes LOAD_STACK_DELAY_MS per
  // status step, so a stage is busy a while (409) and then free again for the round-robin (202).
  const runtime = await startRuntime({ port: 0, stackDelayMs: 20 });
  const runners: LoadRunner[] = [];
  try {
    const { stackIds, stages } = await setup(runtime);
    runtime.cloudFormation.setDelay(LOAD_STACK_DELAY_MS);
    const first = stages[0]!;
    const stageKey = keys.stage('bench', first.stackId, first.name);
    const stackKey = keys.stack('bench', stackIds[0]!);
    const stageItem = await itemOf(runtime, stageKey);
    const stackItem = await itemOf(runtime, stackKey);
    // Written under a partition of their own so they never show up in a tenant's lists.
    const asFloorItem = (item: Record<string, AttributeValue>) => ({ ...item, pk: { S: 'BENCH#floor' } });
    const headers = (tenant: string) => ({
      authorization: `Bearer ${runtime.tokenFor(tenant)}`,
      'content-type': 'application/json',
    });

    const scenarios: Scenario[] = [
      {
        name: 'GET /v1/stacks/{id}/stages/{name}',
        kind: 'read',
        http: {
          method: 'GET',
          paths: [`/v1/stacks/${first.stackId}/stages/${first.name}`],
          headers: headers('bench'),
        },
        expected: ['200'],
        floor: { operation: 'GetItem', tableName: TABLE, item: marshall(stageKey) },
      },
      {
        name: 'GET /v1/stacks',
        kind: 'read',
        http: { method: 'GET', paths: ['/v1/stacks'], headers: headers('bench') },
        expected: ['200'],
        floor: { operation: 'GetItem', tableName: TABLE, item: marshall(stackKey) },
      },
      {
        name: 'POST /v1/stacks',
        kind: 'write',
        // Another tenant, so the stacks it piles up never lengthen the list read above.
        http: {
          method: 'POST',
          paths: ['/v1/stacks'],
          headers: headers('bench-writes'),
          body: JSON.stringify(NEW_STACK),
        },
        expected: ['201'],
        floor: { operation: 'PutItem', tableName: TABLE, item: asFloorItem(stackItem) },
      },
      {
        name: 'PATCH /v1/stacks/{id}/stages/{name}',
        kind: 'write',
        http: {
          method: 'PATCH',
          paths: stages.map((s) => `/v1/stacks/${s.stackId}/stages/${s.name}`),
          headers: headers('bench'),
          body: JSON.stringify({ environment: { BENCH: '1' } }),
        },
        expected: ['202', '409'],
        floor: { operation: 'PutItem', tableName: TABLE, item: asFloorItem(stageItem) },
      },
    ];

    const child = await childRunner();
    runners.push(child);
    const inProcess = inProcessRunner(runtime.dynamo.client);
    const httpRunner = options.httpGenerator === 'child' ? child : inProcess;
    const otherHttpRunner = options.httpGenerator === 'child' ? inProcess : child;
    // The floor's generator sits where the HTTP generator does: with its own client in the child
    // process, or through runtime.dynamo.client when everything runs in the server process.
    const floorInServer = (runner: LoadRunner) => runner.where === 'inprocess';
    const slice = { connections: options.connections, durationSeconds: options.durationSeconds / SLICES };
    const warm = { connections: options.connections, durationSeconds: WARMUP_SECONDS };
    const httpJob = (s: Scenario, size: typeof slice): HttpJob => ({
      kind: 'http',
      url: runtime.url,
      ...s.http,
      ...size,
    });
    const floorJob = (s: Scenario, size: typeof slice, inServer: boolean): DynamoJob => ({
      kind: 'dynamo',
      ...s.floor,
      ...(inServer ? {} : { endpoint: runtime.dynamo.endpoint }),
      ...size,
    });
    const settle = () => Promise.race([runtime.workflows.idle(), sleep(120_000)]);

    /** Warms both up, then alternates slices of A and B; `between` runs after every slice of A. */
    async function alternate(
      a: { runner: LoadRunner; job: (size: typeof slice) => HttpJob | DynamoJob },
      b: { runner: LoadRunner; job: (size: typeof slice) => HttpJob | DynamoJob },
      between: () => Promise<void> = async () => {},
      onMeasuring: (on: boolean) => void = () => {},
    ) {
      await a.runner.run(a.job(warm));
      await between();
      await b.runner.run(b.job(warm));
      const rawA: RawLoad[] = [];
      const rawB: RawLoad[] = [];
      for (let i = 0; i < SLICES; i++) {
        onMeasuring(true);
        rawA.push(await a.runner.run(a.job(slice)));
        onMeasuring(false);
        await between();
        rawB.push(await b.runner.run(b.job(slice)));
      }
      return { a: summarise(rawA), b: summarise(rawB) };
    }

    // Operations the PATCHes start (RUNNING on the bus while measuring), to check they all end well.
    let measuring = false;
    const operations = new Map<string, string>();
    const unsubscribe = runtime.bus.subscribe((event: BusEvent) => {
      if (event['detail-type'] !== 'Operation Status Change') return;
      const { operationId, status } = event.detail as { operationId: string; status: string };
      if (status === 'RUNNING' && measuring) operations.set(operationId, status);
      else if (operations.has(operationId)) operations.set(operationId, status);
    });

    const figures: ApiFigures[] = [];
    let patchOperations = { started: 0, succeeded: 0, failed: 0, unfinished: 0 };
    for (const scenario of scenarios) {
      process.stderr.write(`api: ${scenario.name}\n`);
      log.reset();
      const patch = scenario.http.method === 'PATCH';
      const { a: route, b: floor } = await alternate(
        { runner: httpRunner, job: (size) => httpJob(scenario, size) },
        { runner: httpRunner, job: (size) => floorJob(scenario, size, floorInServer(httpRunner)) },
        // The workflows a slice started (a PATCH's rebuild, a new stack's pipeline) end before the
        // floor's slice, so the floor runs on a quiet server.
        settle,
        patch ? (on) => (measuring = on) : undefined,
      );
      if (patch) {
        await sleep(100);
        const statuses = [...operations.values()];
        patchOperations = {
          started: statuses.length,
          succeeded: statuses.filter((st) => st === 'SUCCEEDED').length,
          failed: statuses.filter((st) => st === 'FAILED').length,
          unfinished: statuses.filter((st) => st === 'RUNNING').length,
        };
      }
      const errors = errorsOf(route, scenario.expected) + log.counts.error + floor.failures;
      const ratioP99 = round(route.p99 / floor.p99, 2);
      const pass =
        errors === 0 &&
        (!patch || (patchOperations.failed === 0 && patchOperations.unfinished === 0)) &&
        (scenario.kind === 'write' || ratioP99 <= TARGET_READ_RATIO);
      figures.push({
        name: scenario.name,
        kind: scenario.kind,
        generator: httpRunner.where,
        route,
        floor,
        floorGenerator: httpRunner.where,
        errors,
        ratioP99,
        target: scenario.kind === 'read' ? `p99 ≤${TARGET_READ_RATIO}× floor, no errors` : 'no errors',
        pass,
      });
    }
    unsubscribe();

    // Beside the chosen arrangement, the other ones, for the record (no target).
    process.stderr.write('api: other arrangements (informational)\n');
    const getStage = scenarios[0]!;
    // A list is a Query: the same Query the store makes, beside the route, shows what the route adds.
    const listStacks = scenarios[1]!;
    const listQuery = await alternate(
      { runner: httpRunner, job: (size) => httpJob(listStacks, size) },
      {
        runner: httpRunner,
        job: (size) => ({
          kind: 'dynamo',
          operation: 'Query',
          tableName: TABLE,
          item: { pk: { S: stackKey.pk }, sk: { S: 'STACK#' } },
          limit: DEFAULT_PAGE_SIZE,
          ...(floorInServer(httpRunner) ? {} : { endpoint: runtime.dynamo.endpoint }),
          ...size,
        }),
      },
      settle,
    );
    const other = await alternate(
      { runner: otherHttpRunner, job: (size) => httpJob(getStage, size) },
      { runner: otherHttpRunner, job: (size) => floorJob(getStage, size, floorInServer(otherHttpRunner)) },
    );

    const rows: Row[] = figures.map((f) => {
      const statuses = Object.entries(f.route.statuses)
        .map(([status, count]) => `${status}×${count.toLocaleString('en-US')}`)
        .join(' ');
      const extra = f.name.startsWith('PATCH')
        ? ` · ${statuses} (202 p99 ${fmt(f.route.p99ByStatus['202'] ?? Number.NaN, 2)} ms) · ops ${patchOperations.succeeded}/${patchOperations.started} SUCCEEDED`
        : '';
      return {
        section: 'api',
        item: `${f.name} [${f.kind}]`,
        measured: `${latency(f.route)} · ${f.errors} errors${extra}`,
        reference: `${f.kind === 'read' ? 'GetItem' : 'PutItem'} ${latency(f.floor)}`,
        ratio: `${fmt(f.ratioP99, 2)}× p99`,
        target: f.target ?? '',
        verdict: verdict(f.pass),
      };
    });
    rows.push({
      section: 'api',
      item: `GET /v1/stacks [read] against the Query it makes (${stackIds.length} stacks a page)`,
      measured: `${latency(listQuery.a)} · ${errorsOf(listQuery.a, ['200'])} errors`,
      reference: `Query ${latency(listQuery.b)}`,
      ratio: `${fmt(round(listQuery.a.p99 / listQuery.b.p99, 2), 2)}× p99`,
      target: 'informational',
      verdict: 'INFO',
    });
    const otherWhere =
      otherHttpRunner.where === 'child'
        ? 'autocannon and the floor (own client) in a child process'
        : 'autocannon and the floor (runtime.dynamo.client) in the server process';
    rows.push({
      section: 'api',
      item: `GET stage [read], other arrangement: ${otherWhere}`,
      measured: `${latency(other.a)} · ${errorsOf(other.a, ['200'])} errors`,
      reference: `GetItem ${latency(other.b)}`,
      ratio: `${fmt(round(other.a.p99 / other.b.p99, 2), 2)}× p99`,
      target: 'informational',
      verdict: 'INFO',
    });
    return {
      rows,
      data: {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        slices: SLICES,
        warmupSeconds: WARMUP_SECONDS,
        httpGenerator: httpRunner.where,
        floorGenerator:
          httpRunner.where === 'child'
            ? 'child process, own DynamoDBClient to the runtime’s dynalite endpoint'
            : 'server process, runtime.dynamo.client',
        stages: stages.length,
        loadStackDelayMs: LOAD_STACK_DELAY_MS,
        patchOperations,
        scenarios: figures,
        informational: {
          listStacksAgainstItsQuery: { route: listQuery.a, query: listQuery.b },
          getStageOtherArrangement: { generator: otherHttpRunner.where, route: other.a, floor: other.b },
        },
      },
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    for (const runner of runners) await runner.close();
    await closeQuietly(runtime);
  }
}
