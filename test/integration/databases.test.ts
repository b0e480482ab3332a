import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { databaseStackName } from '../../src/domain/database';
import { bastionStackName } from '../../src/domain/bastion';
import { cfnStackNameOf } from '../../src/domain/stage';
import type { BusEvent } from '../../src/local/bus';
import { LOCAL_ROLE_ARN, startRuntime, type Runtime } from '../../src/local/runtime';
import { client, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import { aStack } from '../support/fixtures';

/**
 * The add-database, create-read-replica, delete-database, provision-bastion and delete-bastion
 * workflows on the local engine, on their success and failure paths: the real ASL, task functions
 * and store, the simulated CloudFormation with its simulated secrets and key pairs.
 */
describe('database and bastion workflows on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 5 });
    api = client(runtime.url, runtime.tokenFor('acme'));
    runtime.bus.subscribe((e) => {
      if (e.source === 'tinystacks') events.push(e);
    });
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });
  afterEach(() => runtime.cloudFormation.clearFailures());

  type Op = { operationId: string; type: string; status: string; error: string | null };

  async function newStackId(): Promise<string> {
    const stack = aStack({ tenantId: 'acme', region: 'us-east-1', roleArn: LOCAL_ROLE_ARN });
    await runtime.store.putStack(stack);
    return stack.stackId;
  }

  /** Every operation of the stack has ended and none is pending: follow-ups included. */
  async function settled(stackId: string, count: number): Promise<Op[]> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const ops = (await api.get<{ items: Op[] }>(`/v1/stacks/${stackId}/operations`)).body.items;
      if (ops.length >= count && ops.every((o) => o.status === 'SUCCEEDED' || o.status === 'FAILED'))
        return ops;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`operations of ${stackId} did not settle`);
  }

  async function activeStage(stackId: string, body: Record<string, unknown> = { name: 'dev' }) {
    const created = await api.post<{ operation: Op }>(`/v1/stacks/${stackId}/stages`, body);
    expect(created.status).toBe(202);
    expect((await api.operationEnd(created.body.operation.operationId)).status).toBe('SUCCEEDED');
  }

  /** State transitions of the operation's execution, once it has ended (after its last event). */
  async function transitionsOf(operationId: string): Promise<number | undefined> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !runtime.workflows.execution(operationId)?.endedAt) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return runtime.workflows.execution(operationId)?.stateTransitions;
  }

  async function run(path: string, body?: unknown, method: 'post' | 'patch' | 'delete' = 'post') {
    const reply =
      method === 'delete'
        ? await api.delete<{ operation: Op }>(path)
        : await api[method]<{ operation: Op }>(path, body ?? {});
    expect(reply.status).toBe(202);
    const operation = (await api.operationEnd(reply.body.operation.operationId)) as unknown as Op;
    return { operation, transitions: await transitionsOf(operation.operationId) };
  }

  const stageOf = (stackId: string, name = 'dev') =>
    api.get<{
      status: string;
      currentOperationId: string | null;
      serviceEnvironmentNames: string[];
      lastError: string | null;
    }>(`/v1/stacks/${stackId}/stages/${name}`);
  const eventsOf = (operationId: string) =>
    events
      .filter((e) => e.detail.operationId === operationId)
      .map((e) => `${e['detail-type']}:${String(e.detail.status)}`);

  test('add-database: a Postgres database, wired into the service; a second one is a 409', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId);

    // Act
    const { operation, transitions } = await run(`/v1/stacks/${stackId}/stages/dev/databases`, {
      engine: 'postgres',
    });

    // Assess
    expect(operation).toMatchObject({ type: 'ADD_DATABASE', status: 'SUCCEEDED' });
    expect(transitions).toBe(20);
    const stage = await stageOf(stackId);
    expect(stage.body).toMatchObject({ status: 'ACTIVE', currentOperationId: null });
    expect(stage.body.serviceEnvironmentNames).toEqual(
      expect.arrayContaining(['PG_HOST', 'PG_PORT', 'PG_CREDENTIALS_SECRET', 'PG_DATABASE']),
    );
    const db = await api.get<Record<string, unknown>>(`/v1/stacks/${stackId}/stages/dev/databases/postgres`);
    expect(db.body).toMatchObject({ status: 'AVAILABLE', port: 5432, databaseName: 'app', mode: 'managed' });
    expect(db.body.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:dev\//);
    expect(eventsOf(operation.operationId)).toEqual([
      'Operation Status Change:RUNNING',
      'Deployment Status Change:IN_PROGRESS',
      'Operation Status Change:SUCCEEDED',
      'Stage Status Change:ACTIVE',
      'Database Status Change:AVAILABLE',
      'Deployment Status Change:SUCCEEDED',
    ]);
    for (const event of events.filter((e) => e.detail.operationId === operation.operationId)) {
      expect(validateEvent(event)).toEqual([]);
    }
    const again = await api.post(`/v1/stacks/${stackId}/stages/dev/databases`, { engine: 'postgres' });
    expect(again.status).toBe(409);
    expect((await stageOf(stackId)).body.currentOperationId).toBeNull();
  });

  test('add-database failure: the stack rolls back and is removed, the stage is as it was, unlocked; FAILED events', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId);
    const before = (await stageOf(stackId)).body;
    runtime.cloudFormation.failWhen({
      stackName: databaseStackName(cfnStackNameOf(stackId, 'dev'), 'mysql'),
      logicalId: 'Database',
      reason: 'DB instance quota reached',
    });

    // Act
    const { operation, transitions } = await run(`/v1/stacks/${stackId}/stages/dev/databases`, {
      engine: 'mysql',
    });

    // Assess
    expect(operation).toMatchObject({
      status: 'FAILED',
      error: 'Database (AWS::RDS::DBInstance): DB instance quota reached',
    });
    expect(transitions).toBe(17);
    expect((await stageOf(stackId)).body).toEqual({
      ...before,
      lastOperationId: operation.operationId,
      updatedAt: expect.any(String),
    });
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/databases/mysql`)).status).toBe(404);
    expect(eventsOf(operation.operationId)).toEqual([
      'Operation Status Change:RUNNING',
      'Deployment Status Change:IN_PROGRESS',
      'Operation Status Change:FAILED',
      'Database Status Change:FAILED',
      'Deployment Status Change:FAILED',
    ]);
    const described = await runtime.cloudFormation
      .describeStacks({ StackName: databaseStackName(cfnStackNameOf(stackId, 'dev'), 'mysql') }, 'us-east-1')
      .catch((e: Error) => e.name);
    expect(described).toBe('ValidationError');
  });

  test('an existing database: no infrastructure, the same variables; TinyStacks does not size it', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId);
    const existing = {
      host: 'legacy-db.internal.example.com',
      port: 3307,
      database: 'shop',
      secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:legacy/shop-AbCdEf',
    };

    // Act
    const { operation, transitions } = await run(`/v1/stacks/${stackId}/stages/dev/databases`, {
      engine: 'mysql',
      existing,
    });
    const resize = await api.patch(`/v1/stacks/${stackId}/stages/dev/databases/mysql`, { storageGb: 100 });

    // Assess
    expect(operation).toMatchObject({ type: 'ADD_DATABASE', status: 'SUCCEEDED' });
    expect(transitions).toBe(13);
    expect((await stageOf(stackId)).body.serviceEnvironmentNames).toEqual(
      expect.arrayContaining(['MYSQL_HOST', 'MYSQL_PORT', 'MYSQL_CREDENTIALS_SECRET', 'MYSQL_DATABASE']),
    );
    const db = await api.get(`/v1/stacks/${stackId}/stages/dev/databases/mysql`);
    expect(db.body).toMatchObject({
      mode: 'existing',
      endpoint: existing.host,
      port: 3307,
      secretArn: existing.secretArn,
    });
    expect(resize.status).toBe(409);
    const described = await runtime.cloudFormation
      .describeStacks({ StackName: databaseStackName(cfnStackNameOf(stackId, 'dev'), 'mysql') }, 'us-east-1')
      .catch((e: Error) => e.name);
    expect(described).toBe('ValidationError');
  });

  test('Change Password: a new secret value the database takes; resize; delete keeps a snapshot', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId, { name: 'dev', database: { engine: 'postgres' } });
    await settled(stackId, 2);
    const secretPath = `/v1/stacks/${stackId}/stages/dev/databases/postgres/secret`;
    const before = (await api.get<{ password: string }>(secretPath)).body.password;

    // Act
    const changed = await run(`/v1/stacks/${stackId}/stages/dev/databases/postgres/password`);
    const after = (await api.get<{ password: string }>(secretPath)).body.password;
    const databaseTookIt = [...runtime.services.databasePasswords.values()].includes(after);
    const resized = await run(
      `/v1/stacks/${stackId}/stages/dev/databases/postgres`,
      { storageGb: 50 },
      'patch',
    );
    const shrink = await api.patch(`/v1/stacks/${stackId}/stages/dev/databases/postgres`, { storageGb: 20 });
    const tooSoon = await api.patch(`/v1/stacks/${stackId}/stages/dev/databases/postgres`, { storageGb: 60 });
    const snapshots = runtime.services.snapshots.length;
    const deleted = await run(`/v1/stacks/${stackId}/stages/dev/databases/postgres`, undefined, 'delete');

    // Assess
    expect(changed.operation).toMatchObject({ type: 'CHANGE_DATABASE_PASSWORD', status: 'SUCCEEDED' });
    expect(changed.transitions).toBe(20);
    expect(after).not.toBe(before);
    expect(after).toHaveLength(40);
    expect(databaseTookIt).toBe(true);
    expect(resized.operation.status).toBe('SUCCEEDED');
    expect(shrink).toMatchObject({ status: 400, body: { error: { field: 'storageGb' } } });
    expect(tooSoon).toMatchObject({ status: 409, body: { error: { field: 'storageGb' } } });
    expect(deleted.operation).toMatchObject({ type: 'DELETE_DATABASE', status: 'SUCCEEDED' });
    expect(deleted.transitions).toBe(19);
    expect(runtime.services.snapshots.length).toBe(snapshots + 1);
    expect((await stageOf(stackId)).body.serviceEnvironmentNames.filter((n) => n.startsWith('PG_'))).toEqual(
      [],
    );
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/databases/postgres`)).status).toBe(404);
    expect(eventsOf(deleted.operation.operationId)).toContain('Database Status Change:DELETED');
  });

  test('create-read-replica: a stage in another region gets READER variables; promote; the source is untouched', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId, { name: 'dev', database: { engine: 'postgres' } });
    await settled(stackId, 2);
    const source = (
      await api.get<Record<string, unknown>>(`/v1/stacks/${stackId}/stages/dev/databases/postgres`)
    ).body;
    const sourcePassword = (
      await api.get<{ password: string }>(`/v1/stacks/${stackId}/stages/dev/databases/postgres/secret`)
    ).body.password;

    // Act
    await activeStage(stackId, {
      name: 'eu',
      region: 'eu-west-1',
      database: { readReplicaOf: { stage: 'dev', engine: 'postgres' } },
    });
    const ops = await settled(stackId, 4);
    const replicaOp = ops.find((o) => o.type === 'CREATE_READ_REPLICA')!;

    // Assess
    expect(replicaOp.status).toBe('SUCCEEDED');
    expect(await transitionsOf(replicaOp.operationId)).toBe(19);
    const eu = (await stageOf(stackId, 'eu')).body;
    expect(eu.serviceEnvironmentNames).toEqual(
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
      await api.get<Record<string, unknown>>(`/v1/stacks/${stackId}/stages/eu/databases/postgres`)
    ).body;
    expect(replica).toMatchObject({
      mode: 'replica',
      status: 'AVAILABLE',
      secretArn: source.secretArn,
      readReplicaOf: {
        stage: 'dev',
        engine: 'postgres',
        region: 'us-east-1',
        writerEndpoint: source.endpoint,
      },
    });
    expect(replica.endpoint).toContain('.eu-west-1.rds.amazonaws.com');
    expect((await api.delete(`/v1/stacks/${stackId}/stages/dev/databases/postgres`)).status).toBe(409);

    // Act: promote
    const promoted = await run(`/v1/stacks/${stackId}/stages/eu/databases/postgres/promote`);

    // Assess
    expect(promoted.operation).toMatchObject({ type: 'PROMOTE_DATABASE', status: 'SUCCEEDED' });
    expect(promoted.transitions).toBe(20);
    const after = (
      await api.get<Record<string, unknown>>(`/v1/stacks/${stackId}/stages/eu/databases/postgres`)
    ).body;
    expect(after).toMatchObject({
      mode: 'managed',
      endpoint: replica.endpoint,
      promotedAt: expect.any(String),
    });
    expect(after.secretArn).toMatch(/^arn:aws:secretsmanager:eu-west-1:/);
    const names = (await stageOf(stackId, 'eu')).body.serviceEnvironmentNames;
    expect(names).toEqual(
      expect.arrayContaining(['PG_HOST', 'PG_PORT', 'PG_CREDENTIALS_SECRET', 'PG_DATABASE']),
    );
    expect(names).not.toContain('PG_READER_HOST');
    const own = (
      await api.get<{ password: string; host: string }>(
        `/v1/stacks/${stackId}/stages/eu/databases/postgres/secret`,
      )
    ).body;
    expect(own.password).not.toBe(sourcePassword);
    expect(own.host).toBe(replica.endpoint);
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/databases/postgres`)).body).toEqual(source);
    expect(
      (await api.get<{ password: string }>(`/v1/stacks/${stackId}/stages/dev/databases/postgres/secret`)).body
        .password,
    ).toBe(sourcePassword);
  });

  test('create-read-replica failure: the replica stage is as it was, unlocked, with a FAILED operation and events', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId, { name: 'dev', database: { engine: 'mysql' } });
    await settled(stackId, 2);
    runtime.cloudFormation.failWhen({
      stackName: databaseStackName(cfnStackNameOf(stackId, 'eu'), 'mysql'),
      logicalId: 'Database',
      reason: 'replica quota reached',
    });

    // Act
    await activeStage(stackId, {
      name: 'eu',
      region: 'eu-west-1',
      database: { readReplicaOf: { stage: 'dev', engine: 'mysql' } },
    });
    const ops = await settled(stackId, 4);
    const replicaOp = ops.find((o) => o.type === 'CREATE_READ_REPLICA')!;

    // Assess
    expect(replicaOp).toMatchObject({
      status: 'FAILED',
      error: 'Database (AWS::RDS::DBInstance): replica quota reached',
    });
    expect(await transitionsOf(replicaOp.operationId)).toBe(16);
    const eu = (await stageOf(stackId, 'eu')).body;
    expect(eu).toMatchObject({ status: 'ACTIVE', currentOperationId: null, lastError: null });
    expect(eu.serviceEnvironmentNames.some((n) => n.startsWith('MYSQL_'))).toBe(false);
    expect((await api.get(`/v1/stacks/${stackId}/stages/eu/databases/mysql`)).status).toBe(404);
    expect(eventsOf(replicaOp.operationId)).toEqual([
      'Operation Status Change:RUNNING',
      'Deployment Status Change:IN_PROGRESS',
      'Operation Status Change:FAILED',
      'Database Status Change:FAILED',
      'Deployment Status Change:FAILED',
    ]);
  });

  test('a Redis replica is refused with the reason; a replica of nothing is refused', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId, { name: 'dev', database: { engine: 'redis' } });
    await settled(stackId, 2);

    // Act
    const redis = await api.post(`/v1/stacks/${stackId}/stages`, {
      name: 'eu',
      region: 'eu-west-1',
      database: { readReplicaOf: { stage: 'dev', engine: 'redis' } },
    });
    const missing = await api.post(`/v1/stacks/${stackId}/stages`, {
      name: 'eu',
      database: { readReplicaOf: { stage: 'dev', engine: 'mysql' } },
    });

    // Assess
    expect(redis).toMatchObject({ status: 400, body: { error: { field: 'database.readReplicaOf.engine' } } });
    expect((redis.body as { error: { message: string } }).error.message).toMatch(
      /only available for postgres and mysql/,
    );
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { field: 'database.readReplicaOf.engine' } },
    });
    expect((await api.get(`/v1/stacks/${stackId}/stages/eu`)).status).toBe(404);
  });

  test('provision-bastion: tunnel commands per database; the key downloads, audited; delete-bastion', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId, { name: 'dev', database: { engine: 'postgres' } });
    await settled(stackId, 2);
    await run(`/v1/stacks/${stackId}/stages/dev/databases`, { engine: 'redis' });

    // Act
    const provisioned = await run(`/v1/stacks/${stackId}/stages/dev/bastion`, {
      allowedCidrs: ['203.0.113.7/32'],
    });
    const bastion = await api.get<{
      host: string;
      user: string;
      tunnels: { engine: string; command: string }[];
    }>(`/v1/stacks/${stackId}/stages/dev/bastion`);
    const key = await fetch(`${runtime.url}/v1/stacks/${stackId}/stages/dev/bastion/private-key`, {
      headers: { authorization: `Bearer ${runtime.tokenFor('acme')}` },
    });
    const pem = await key.text();
    const deleted = await run(`/v1/stacks/${stackId}/stages/dev/bastion`, undefined, 'delete');

    // Assess
    expect(provisioned.operation).toMatchObject({ type: 'PROVISION_BASTION', status: 'SUCCEEDED' });
    expect(provisioned.transitions).toBe(12);
    expect(bastion.body.user).toBe('ec2-user');
    expect(bastion.body.tunnels.map((t) => t.engine)).toEqual(['postgres', 'redis']);
    for (const tunnel of bastion.body.tunnels) {
      expect(tunnel.command).toMatch(
        new RegExp(
          `^ssh -i \\S+ -f -N -L (5432|6379):\\S+:(5432|6379) ec2-user@${bastion.body.host.replace(/\./g, '\\.')}$`,
        ),
      );
    }
    expect(key.status).toBe(200);
    expect(key.headers.get('content-type')).toBe('application/x-pem-file');
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const accessed = events.filter(
      (e) => e['detail-type'] === 'Credentials Accessed' && e.detail.stackId === stackId,
    );
    expect(accessed.map((e) => e.detail.action)).toEqual(['DOWNLOAD_BASTION_KEY']);
    expect(validateEvent(accessed[0])).toEqual([]);
    expect(JSON.stringify(accessed)).not.toContain(pem.split('\n')[1]);
    expect(deleted.operation).toMatchObject({ type: 'DELETE_BASTION', status: 'SUCCEEDED' });
    expect(deleted.transitions).toBe(12);
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/bastion`)).status).toBe(404);
  });

  test('provision-bastion failure: the stage is as it was, unlocked, with a FAILED operation and event', async () => {
    // Prepare
    const stackId = await newStackId();
    await activeStage(stackId);
    const before = (await stageOf(stackId)).body;
    runtime.cloudFormation.failWhen({
      stackName: bastionStackName(cfnStackNameOf(stackId, 'dev')),
      logicalId: 'BastionInstance',
      reason: 'no t4g.nano capacity',
    });

    // Act
    const { operation, transitions } = await run(`/v1/stacks/${stackId}/stages/dev/bastion`, {
      allowedCidrs: ['203.0.113.7/32'],
    });

    // Assess
    expect(operation).toMatchObject({
      status: 'FAILED',
      error: 'BastionInstance (AWS::EC2::Instance): no t4g.nano capacity',
    });
    expect(transitions).toBe(15);
    expect((await stageOf(stackId)).body).toEqual({
      ...before,
      lastOperationId: operation.operationId,
      updatedAt: expect.any(String),
    });
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/bastion`)).status).toBe(404);
    expect(eventsOf(operation.operationId)).toEqual([
      'Operation Status Change:RUNNING',
      'Operation Status Change:FAILED',
    ]);
  });
});

describe('an execution that ends without reaching its failure path', () => {
  test('the backstop records a database operation’s failure: the stage as it was, unlocked, the database FAILED', async () => {
    // Prepare: a stage, then CloudFormation that never finishes the database's stack
    const runtime = await startRuntime({ port: 0, stackDelayMs: 5 });
    const api = client(runtime.url, runtime.tokenFor('acme'));
    const events: BusEvent[] = [];
    runtime.bus.subscribe((e) => {
      if (e.source === 'tinystacks') events.push(e);
    });
    try {
      const stack = aStack({ tenantId: 'acme', region: 'us-east-1', roleArn: LOCAL_ROLE_ARN });
      await runtime.store.putStack(stack);
      const created = await api.post<{ operation: { operationId: string } }>(
        `/v1/stacks/${stack.stackId}/stages`,
        {
          name: 'dev',
        },
      );
      await api.operationEnd(created.body.operation.operationId);
      runtime.cloudFormation.setDelay(3_600_000);
      const added = await api.post<{ operation: { operationId: string } }>(
        `/v1/stacks/${stack.stackId}/stages/dev/databases`,
        { engine: 'postgres' },
      );
      const operationId = added.body.operation.operationId;
      const input = {
        tenantId: 'acme',
        operationId,
        stackId: stack.stackId,
        stageName: 'dev',
        stageStatusBefore: 'ACTIVE',
        engine: 'postgres',
        target: { roleArn: LOCAL_ROLE_ARN, region: 'us-east-1' },
      };

      // Act: Step Functions reports the execution ABORTED (a manual stop)
      runtime.bus.forward({
        version: '0',
        id: 'abort-1',
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: {
          executionArn: `arn:aws:states:local:000000000000:execution:addDatabase:${operationId}`,
          // As Step Functions' event has it: the backstop's rule matches on it.
          stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:addDatabase',
          status: 'ABORTED',
          input: JSON.stringify(input),
        },
      });
      const operation = await api.operationEnd(operationId);
      // The backstop marks the operation FAILED before it unlocks the stage: wait for both.
      const deadline = Date.now() + 5_000;
      let stage = await api.get(`/v1/stacks/${stack.stackId}/stages/dev`);
      while (stage.body.currentOperationId !== null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        stage = await api.get(`/v1/stacks/${stack.stackId}/stages/dev`);
      }

      // Assess
      expect(operation).toMatchObject({
        status: 'FAILED',
        error: expect.stringContaining('the workflow ended ABORTED'),
      });
      expect(stage.body).toMatchObject({ status: 'ACTIVE', currentOperationId: null });
      const db = await api.get(`/v1/stacks/${stack.stackId}/stages/dev/databases/postgres`);
      expect(db.body).toMatchObject({ status: 'FAILED' });
      const mine = events
        .filter((e) => e.detail.operationId === operationId)
        .map((e) => `${e['detail-type']}:${String(e.detail.status)}`);
      expect(mine).toEqual(
        expect.arrayContaining(['Operation Status Change:FAILED', 'Database Status Change:FAILED']),
      );
      expect(mine).not.toContain('Stage Status Change:FAILED');
    } finally {
      // The "aborted" execution still waits on CloudFormation: end it, so nothing outlives the test.
      const stackNames = (await runtime.cloudFormation.describeStacks({}, 'us-east-1')).Stacks ?? [];
      for (const { StackName } of stackNames) {
        const wait = await runtime.dynamo.documentClient.send(
          new GetCommand({
            TableName: 'tinystacks-local',
            Key: { pk: `WAIT#us-east-1#${StackName}`, sk: 'WAIT' },
          }),
        );
        const token = wait.Item?.taskToken as string | undefined;
        if (token) await runtime.workflows.sendTaskFailure(token, 'Aborted', 'the test is over');
      }
      await runtime.workflows.idle();
      await runtime.close();
    }
  });
});
