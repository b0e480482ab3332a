import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deliver, eventually, pushPayload, runStatus, stackWithStages } from '../support/pipeline';
import { startLocalServer, type LocalServer } from '../support/local-server';

/**
 * `npm start` keeps its word across a `kill -9`: everything the simulated AWS holds (stacks,
 * secrets, key pairs, pipelines) is under the data folder, and what was cut off half-way is
 * finished or settled at the next start, so nothing is stuck.
 */

type Op = { operationId: string; type: string; status: string; error: string | null };
type StageView = {
  status: string;
  currentOperationId: string | null;
  settings: { environment: Record<string, string> };
  serviceEnvironmentNames: string[];
};

/** What the server logged as an error: nothing, on a restart that keeps its word. */
const errorLines = (server: LocalServer) =>
  server
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":"error"'));

const ARGS = ['--stack-delay', '20', '--build-delay', '200'];

describe('npm start killed with SIGKILL and started again on the same data', () => {
  const servers: LocalServer[] = [];
  let dataDir: string | undefined;

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  async function start(args = ARGS): Promise<LocalServer> {
    const server = await startLocalServer('restart', args, {}, dataDir ? { dataDir } : undefined);
    dataDir = server.dataDir;
    servers.push(server);
    return server;
  }

  async function kill(server: LocalServer): Promise<void> {
    await server.kill();
    servers.splice(servers.indexOf(server), 1);
  }

  async function operation(
    server: LocalServer,
    path: string,
    body: unknown = {},
    method: 'post' | 'patch' | 'delete' = 'post',
  ) {
    const reply =
      method === 'delete'
        ? await server.api.delete<{ operation: Op }>(path)
        : await server.api[method]<{ operation: Op }>(path, body);
    expect(reply.status).toBe(202);
    return (await server.api.operationEnd(reply.body.operation.operationId, 30_000)) as unknown as Op;
  }

  const privateKey = async (server: LocalServer, stage: string) => {
    const res = await fetch(`${server.url}${stage}/bastion/private-key`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    return { status: res.status, pem: await res.text() };
  };

  const push = async (server: LocalServer, stackId: string, webhookSecret: string) => {
    const pushed = await deliver(server.url, stackId, webhookSecret, pushPayload());
    expect(pushed.status).toBe(202);
    return runStatus(server.api, String(pushed.body.runId), ['SUCCEEDED', 'FAILED', 'STOPPED'], 30_000);
  };

  test('a stage with Postgres, MySQL, Redis, a bastion and a pipeline run: all of it works after the restart', async () => {
    // Prepare: the stage, its three databases, its bastion, a run to the end
    let server = await start();
    const { stackId, webhookSecret } = await stackWithStages(server.api, [{ name: 'dev' }]);
    const dev = `/v1/stacks/${stackId}/stages/dev`;
    for (const engine of ['postgres', 'mysql', 'redis'])
      expect(await operation(server, `${dev}/databases`, { engine })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await operation(server, `${dev}/bastion`, { allowedCidrs: ['203.0.113.0/24'] })).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect((await push(server, stackId, webhookSecret)).status).toBe('SUCCEEDED');
    const passwords: Record<string, string> = {};
    for (const engine of ['postgres', 'mysql', 'redis'])
      passwords[engine] = (
        await server.api.get<{ password: string }>(`${dev}/databases/${engine}/secret`)
      ).body.password;
    const key = await privateKey(server, dev);
    expect(key.pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const appLog = async () =>
      (await server.api.get<{ lines: { message: string }[] }>(`${dev}/logs?type=app&limit=100`)).body.lines;
    const linesBefore = await appLog();

    // Act
    await kill(server);
    server = await start();

    // Assess: the stage changes, the secrets and the key read back unchanged, a push runs to the end
    const patched = await operation(server, dev, { environment: { AFTER: 'restart' } }, 'patch');
    expect(patched).toMatchObject({ status: 'SUCCEEDED', error: null });
    const stage = (await server.api.get<StageView>(dev)).body;
    expect(stage).toMatchObject({ status: 'ACTIVE', settings: { environment: { AFTER: 'restart' } } });
    expect(stage.serviceEnvironmentNames).toEqual(
      expect.arrayContaining(['AFTER', 'PG_HOST', 'MYSQL_HOST', 'REDIS_HOST']),
    );
    for (const engine of ['postgres', 'mysql', 'redis']) {
      const secret = await server.api.get<{ password: string }>(`${dev}/databases/${engine}/secret`);
      expect([engine, secret.status, secret.body.password]).toEqual([engine, 200, passwords[engine]]);
    }
    expect(await privateKey(server, dev)).toEqual({ status: 200, pem: key.pem });
    const run = await push(server, stackId, webhookSecret);
    expect([run.status, run.stages.map((s) => s.status)]).toEqual(['SUCCEEDED', ['SUCCEEDED']]);
    expect(linesBefore.length).toBeGreaterThan(3);
    expect((await appLog()).slice(0, linesBefore.length)).toEqual(linesBefore);
    expect(errorLines(server)).toEqual([]);
  }, 180_000);

  test('killed during a bastion creation: the bastion is finished, nothing stays locked, all can be deleted', async () => {
    // Prepare: an ACTIVE stage; then CloudFormation slowed down so the bastion stack is caught creating
    let server = await start();
    const { stackId } = await stackWithStages(server.api, [{ name: 'dev' }]);
    const dev = `/v1/stacks/${stackId}/stages/dev`;
    await kill(server);
    server = await start(['--stack-delay', '60000', '--build-delay', '200']);
    const asked = await server.api.post<{ operation: Op }>(`${dev}/bastion`, {
      allowedCidrs: ['203.0.113.0/24'],
    });
    expect(asked.status).toBe(202);
    const stacks = join(dataDir!, 'simulated', 'cloudformation', 'stacks');
    await eventually(
      async () =>
        readdirSync(stacks)
          .filter((name) => /-bastion-.*\.json$/.test(name))
          .some(
            (name) => JSON.parse(readFileSync(join(stacks, name), 'utf8')).status === 'CREATE_IN_PROGRESS',
          ) || undefined,
      'the bastion stack to be CREATE_IN_PROGRESS',
    );

    // Act
    await kill(server);
    server = await start();

    // Assess: CloudFormation finished the stack meanwhile, so the operation is done and the key downloads
    const op = (await server.api.get<Op>(`/v1/operations/${asked.body.operation.operationId}`)).body;
    expect(op).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect((await server.api.get<StageView>(dev)).body).toMatchObject({
      status: 'ACTIVE',
      currentOperationId: null,
    });
    expect((await server.api.get<{ status: string }>(`${dev}/bastion`)).body.status).toBe('AVAILABLE');
    expect((await privateKey(server, dev)).pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(await operation(server, dev, { environment: { USABLE: 'yes' } }, 'patch')).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect((await server.api.delete(`${dev}`)).status).toBe(409); // the bastion must go first
    expect(await operation(server, `${dev}/bastion`, {}, 'delete')).toMatchObject({ status: 'SUCCEEDED' });
    expect(await operation(server, dev, {}, 'delete')).toMatchObject({ status: 'SUCCEEDED' });
    expect(errorLines(server)).toEqual([]);
  }, 180_000);
});
