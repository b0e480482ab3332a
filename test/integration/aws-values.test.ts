import { TEMPLATE_LIMITS } from '../../src/local/cloudformation';
import regionServices from '../../src/domain/data/region-services.json' with { type: 'json' };
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { renderStage } from '../../src/tasks/stage-steps';
import { client, newStack, type Client } from '../support/client';

type ErrorBody = { error: { field?: string; message: string } };

/**
 * Values AWS refuses are refused by the API, naming the field; what AWS takes, the embedded runtime
 * deploys: a stage whose template is over CloudFormation's inline limit goes by TemplateURL.
 */
describe('what AWS accepts, on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 5 });
    api = client(runtime.url, runtime.tokenFor('acme'));
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });

  const newStackId = async () => (await api.post<{ stackId: string }>('/v1/stacks', newStack())).body.stackId;

  async function deployStage(stackId: string, body: Record<string, unknown>) {
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stackId}/stages`,
      body,
    );
    expect(created.status).toBe(202);
    const operation = await api.operationEnd(created.body.operation.operationId);
    const stage = await api.get<{ status: string; serviceEnvironmentNames: string[] }>(
      `/v1/stacks/${stackId}/stages/${body.name}`,
    );
    return { operation, stage: stage.body };
  }

  test('60 variables of 500 characters, with a load balancer: the stage deploys', async () => {
    // Prepare
    const stackId = await newStackId();
    const environment = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`SETTING_${i}`, String(i % 10).repeat(500)]),
    );

    // Act
    const { operation, stage } = await deployStage(stackId, { name: 'big', loadBalancer: true, environment });

    // Assess
    expect(operation).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(stage.status).toBe('ACTIVE');
    expect(stage.serviceEnvironmentNames).toEqual(expect.arrayContaining(Object.keys(environment)));
  });

  test('near the environment budget the template is over 51,200 bytes: it deploys by TemplateURL', async () => {
    // Prepare: 100 variables, 128-character names, 257-character values (40,901 of 40,960 bytes), 20 origins
    const stackId = await newStackId();
    const environment = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `S${String(i).padStart(2, '0')}`.padEnd(128, '_'),
        'v'.repeat(257),
      ]),
    );
    const origins = Array.from({ length: 20 }, (_, i) => `https://app${i}.${'a'.repeat(60)}.example.com`);

    // Act
    const { operation, stage } = await deployStage(stackId, {
      name: 'huge',
      loadBalancer: true,
      environment,
      origins,
    });
    const rendered = await renderStage(
      { tenantId: 'acme', stackId, stageName: 'huge', operationId: 'op_x' },
      { store: runtime.store, databases: runtime.databases },
    );

    // Assess
    expect(operation).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(stage.status).toBe('ACTIVE');
    // Inline, CloudFormation (and the simulator) would have refused it.
    expect(Buffer.byteLength(rendered.templateBody)).toBeGreaterThan(TEMPLATE_LIMITS.templateBodyBytes);
  });

  test('an environment over the task definition’s budget is a 400 naming environment', async () => {
    // Prepare
    const stackId = await newStackId();
    const environment = Object.fromEntries(
      Array.from({ length: 45 }, (_, i) => [`SETTING_${i}`, 'x'.repeat(1000)]),
    );

    // Act
    const reply = await api.post<ErrorBody>(`/v1/stacks/${stackId}/stages`, { name: 'dev', environment });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe('environment');
    expect(reply.body.error.message).toMatch(/task definition/);
  });

  test('a stack in us-east-9 is a 400 naming region; so is one where CodeStar Connections is missing', async () => {
    // Prepare
    const noCodeStar = regionServices.unavailable['AWS::CodeStarConnections::Connection'][0]!;

    // Act
    const nowhere = await api.post<ErrorBody>('/v1/stacks', { ...newStack(), region: 'us-east-9' });
    const lacking = await api.post<ErrorBody>('/v1/stacks', { ...newStack(), region: noCodeStar });
    const stacks = await api.get<{ items: unknown[] }>('/v1/stacks');

    // Assess
    expect(nowhere).toMatchObject({ status: 400, body: { error: { field: 'region' } } });
    expect(lacking).toMatchObject({ status: 400, body: { error: { field: 'region' } } });
    expect(lacking.body.error.message).toContain('CodeStarConnections');
    expect(stacks.body.items.every((s) => (s as { region: string }).region === 'us-east-1')).toBe(true);
  });

  test('a stage in a region without API Gateway v2 is a 400 naming region and the service', async () => {
    // Prepare
    const stackId = await newStackId();
    const region = regionServices.unavailable['AWS::ApiGatewayV2::Api'][0]!;

    // Act
    const reply = await api.post<ErrorBody>(`/v1/stacks/${stackId}/stages`, { name: 'far', region });

    // Assess
    expect(reply).toMatchObject({ status: 400, body: { error: { field: 'region' } } });
    expect(reply.body.error.message).toContain('ApiGatewayV2');
    expect((await api.get(`/v1/stacks/${stackId}/stages/far`)).status).toBe(404);
  });

  test('a database on db.zz9.mega is a 400 naming instanceClass, on its own or asked with a stage', async () => {
    // Prepare
    const stackId = await newStackId();
    const created = await api.post<{ operation: { operationId: string } }>(`/v1/stacks/${stackId}/stages`, {
      name: 'dev',
    });
    await api.operationEnd(created.body.operation.operationId);

    // Act
    const added = await api.post<ErrorBody>(`/v1/stacks/${stackId}/stages/dev/databases`, {
      engine: 'postgres',
      instanceClass: 'db.zz9.mega',
    });
    const withStage = await api.post<ErrorBody>(`/v1/stacks/${stackId}/stages`, {
      name: 'qa',
      database: { engine: 'mysql', instanceClass: 'db.zz9.mega' },
    });
    const redis = await api.post<ErrorBody>(`/v1/stacks/${stackId}/stages/dev/databases`, {
      engine: 'redis',
      instanceClass: 'cache.zz9.mega',
    });

    // Assess
    for (const reply of [added, withStage, redis]) {
      expect(reply.status).toBe(400);
      expect(reply.body.error.field).toMatch(/instanceClass$/);
      expect(reply.body.error.message).toMatch(/zz9\.mega/);
    }
    expect((await api.get(`/v1/stacks/${stackId}/stages/dev/databases`)).body).toMatchObject({ items: [] });
    expect((await api.get(`/v1/stacks/${stackId}/stages/qa`)).status).toBe(404);
  });
});
