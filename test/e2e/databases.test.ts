import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamo } from '../../src/local/dynamo';
import { newStack } from '../support/client';
import { startLocalServer, subscribe, type LocalServer, type Sse } from '../support/local-server';

/**
 * Databases, a read replica in another region, a bastion and secrets, end to end over HTTP against
 * `npm start` (the same entry point, on a free port and a temp data folder). At the end, no
 * password is in any DynamoDB item, any event the server emitted, or its log.
 */

type Op = { operationId: string; type: string; status: string; error: string | null };
type StageView = { status: string; serviceEnvironmentNames: string[]; currentOperationId: string | null };

describe('databases, replicas and bastions against npm start', () => {
  let server: LocalServer;
  let sse: Sse;

  beforeAll(async () => {
    server = await startLocalServer('db', ['--stack-delay', '20'], { LOG_LEVEL: 'debug' });
    sse = await subscribe(server.url, server.token);
  });

  afterAll(async () => {
    sse.close();
    await server.dispose();
  });

  async function operation(path: string, body?: unknown, method: 'post' | 'patch' = 'post'): Promise<Op> {
    const reply = await server.api[method]<{ operation: Op }>(path, body ?? {});
    expect(reply.status).toBe(202);
    return (await server.api.operationEnd(reply.body.operation.operationId, 30_000)) as unknown as Op;
  }

  /** Waits until an operation of this type exists for the stage and has ended (a follow-up). */
  async function followUp(stackId: string, stageName: string, type: string): Promise<Op> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ops = (
        await server.api.get<{ items: (Op & { stageName: string })[] }>(`/v1/stacks/${stackId}/operations`)
      ).body.items;
      const found = ops.find((o) => o.type === type && o.stageName === stageName);
      if (found && (found.status === 'SUCCEEDED' || found.status === 'FAILED')) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${type} operation ended on ${stageName}`);
  }

  const namesOf = async (stackId: string, stage: string) =>
    (await server.api.get<StageView>(`/v1/stacks/${stackId}/stages/${stage}`)).body.serviceEnvironmentNames;

  test('the issue’s list, then no password in DynamoDB, the events or the log', async () => {
    const passwords: string[] = [];

    // Prepare: a stack and an ACTIVE stage
    const stackId = (await server.api.post<{ stackId: string }>('/v1/stacks', newStack())).body.stackId;
    const dev = `/v1/stacks/${stackId}/stages/dev`;
    expect((await operation(`/v1/stacks/${stackId}/stages`, { name: 'dev' })).status).toBe('SUCCEEDED');

    // Act / Assess: add Postgres → the four PG_* variables
    expect(await operation(`${dev}/databases`, { engine: 'postgres' })).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect(await namesOf(stackId, 'dev')).toEqual(
      expect.arrayContaining(['PG_HOST', 'PG_PORT', 'PG_CREDENTIALS_SECRET', 'PG_DATABASE']),
    );

    // a second Postgres → 409
    expect((await server.api.post(`${dev}/databases`, { engine: 'postgres' })).status).toBe(409);

    // MySQL and Redis alongside → their variables
    expect((await operation(`${dev}/databases`, { engine: 'mysql' })).status).toBe('SUCCEEDED');
    expect((await operation(`${dev}/databases`, { engine: 'redis' })).status).toBe('SUCCEEDED');
    const names = await namesOf(stackId, 'dev');
    for (const prefix of ['PG', 'MYSQL', 'REDIS']) {
      expect(names).toEqual(
        expect.arrayContaining(
          ['HOST', 'PORT', 'CREDENTIALS_SECRET', 'DATABASE'].map((s) => `${prefix}_${s}`),
        ),
      );
    }

    // a Redis replica → 400 with the reason
    const redisReplica = await server.api.post<{ error: { field: string; message: string } }>(
      `/v1/stacks/${stackId}/stages`,
      {
        name: 'eu',
        region: 'eu-west-1',
        database: { readReplicaOf: { stage: 'dev', engine: 'redis' } },
      },
    );
    expect(redisReplica.status).toBe(400);
    expect(redisReplica.body.error.message).toMatch(/only available for postgres and mysql/);

    // a Postgres replica stage in another region → reader variables
    const euCreate = await operation(`/v1/stacks/${stackId}/stages`, {
      name: 'eu',
      region: 'eu-west-1',
      database: { readReplicaOf: { stage: 'dev', engine: 'postgres' } },
    });
    expect(euCreate.status).toBe('SUCCEEDED');
    expect((await followUp(stackId, 'eu', 'CREATE_READ_REPLICA')).status).toBe('SUCCEEDED');
    expect(await namesOf(stackId, 'eu')).toEqual(
      expect.arrayContaining([
        'PG_READER_HOST',
        'PG_READER_PORT',
        'PG_HOST',
        'PG_PORT',
        'PG_CREDENTIALS_SECRET',
        'PG_DATABASE',
      ]),
    );
    const replica = (
      await server.api.get<{ endpoint: string }>(`/v1/stacks/${stackId}/stages/eu/databases/postgres`)
    ).body;
    expect(replica.endpoint).toContain('.eu-west-1.rds.amazonaws.com');

    // promote it
    expect((await operation(`/v1/stacks/${stackId}/stages/eu/databases/postgres/promote`)).status).toBe(
      'SUCCEEDED',
    );
    const promotedNames = await namesOf(stackId, 'eu');
    expect(promotedNames).not.toContain('PG_READER_HOST');
    expect(promotedNames).toContain('PG_HOST');
    passwords.push(
      (
        await server.api.get<{ password: string }>(
          `/v1/stacks/${stackId}/stages/eu/databases/postgres/secret`,
        )
      ).body.password,
    );

    // a bastion → the three tunnel commands with the right ports
    expect((await operation(`${dev}/bastion`, { allowedCidrs: ['203.0.113.7/32'] })).status).toBe(
      'SUCCEEDED',
    );
    const bastion = (
      await server.api.get<{ host: string; tunnels: { engine: string; command: string }[] }>(`${dev}/bastion`)
    ).body;
    const ports = { mysql: 3306, postgres: 5432, redis: 6379 };
    expect(bastion.tunnels.map((t) => t.engine)).toEqual(['mysql', 'postgres', 'redis']);
    for (const tunnel of bastion.tunnels) {
      const port = ports[tunnel.engine as keyof typeof ports];
      expect(tunnel.command).toMatch(
        new RegExp(`^ssh -i \\S+ -f -N -L ${port}:[a-z0-9.-]+:${port} ec2-user@${bastion.host}$`),
      );
    }
    const key = await fetch(`${server.url}${dev}/bastion/private-key`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const pem = await key.text();
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);

    // "View Secret": a password of at least 32 characters
    const secretPath = `${dev}/databases/postgres/secret`;
    const viewed = (await server.api.get<{ username: string; password: string; port: number }>(secretPath))
      .body;
    expect(viewed).toMatchObject({ username: 'postgres', port: 5432 });
    expect(viewed.password.length).toBeGreaterThanOrEqual(32);
    passwords.push(viewed.password);
    for (const engine of ['mysql', 'redis']) {
      passwords.push(
        (await server.api.get<{ password: string }>(`${dev}/databases/${engine}/secret`)).body.password,
      );
    }

    // "Change Password" changes it
    expect((await operation(`${dev}/databases/postgres/password`)).status).toBe('SUCCEEDED');
    const changed = (await server.api.get<{ password: string }>(secretPath)).body.password;
    expect(changed).not.toBe(viewed.password);
    expect(changed.length).toBeGreaterThanOrEqual(32);
    passwords.push(changed);

    // Assess: no password (nor the private key) in any item, event or log line
    await new Promise((r) => setTimeout(r, 300));
    sse.close();
    const events = sse.raw.join('');
    expect(events).toContain('Database Status Change');
    expect(events).toContain('Credentials Accessed');
    await server.stop();
    const log = readFileSync(join(server.dataDir, 'server.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    const dynamo = await startDynamo('tinystacks-local', join(server.dataDir, 'dynamodb'));
    let items: Record<string, unknown>[] = [];
    try {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.documentClient.send(
          new ScanCommand({ TableName: 'tinystacks-local', ExclusiveStartKey: start }),
        );
        items = items.concat(page.Items ?? []);
        start = page.LastEvaluatedKey;
      } while (start);
    } finally {
      await dynamo.close();
    }
    const table = JSON.stringify(items);
    expect(items.some((item) => String(item.sk).startsWith('DB#'))).toBe(true);
    expect(items.some((item) => String(item.sk).startsWith('AUDIT#'))).toBe(true);
    const keyLine = pem.split('\n')[1]!;
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const secret of [...passwords, keyLine]) {
      expect({
        inTable: table.includes(secret),
        inEvents: events.includes(secret),
        inLog: log.includes(secret),
      }).toEqual({
        inTable: false,
        inEvents: false,
        inLog: false,
      });
      expect(server.output().includes(secret)).toBe(false);
    }
    expect(existsSync(join(server.dataDir, 'server.log'))).toBe(true);
  });
});
