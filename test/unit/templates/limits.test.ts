import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { followUpsOf } from '../../../src/app/stages';
import { newStageOperation } from '../../../src/app/stage-operations';
import { MAX_BODY_BYTES } from '../../../src/http/handler';
import { TEMPLATE_LIMITS } from '../../../src/local/cloudformation';
import { databaseWiring, ENGINES, type Database } from '../../../src/domain/database';
import {
  environmentBytes,
  MAX_ENVIRONMENT_BYTES,
  MAX_VALUE_LENGTH,
  MAX_VARIABLES,
  platformEnvironment,
  serviceEnvironment,
  serviceEnvironmentNames,
  TASK_DEFINITION_MAX_BYTES,
} from '../../../src/domain/environment';
import { MAX_ORIGIN_LENGTH, MAX_ORIGINS } from '../../../src/domain/input/fields';
import { createStageBody, type CreateStageBody } from '../../../src/domain/input/stage';
import { cfnStackNameOf, stageSettings, type Stage } from '../../../src/domain/stage';
import { startDynamo, type LocalDynamo } from '../../../src/local/dynamo';
import { Store } from '../../../src/store/store';
import { databaseKeys, DatabaseStore } from '../../../src/store/databases';
import { keys } from '../../../src/store/keys';
import { containerEnvironment } from '../../../src/templates/service';
import { renderStageTemplate, STAGE_OUTPUTS } from '../../../src/templates/stage';
import type { CfnTemplate, CfnValue } from '../../../src/templates/types';
import { FEATURE_TEMPLATES } from '../../../scripts/aws-data/feature-templates';
import { DYNAMODB_ITEM_MAX_BYTES, dynamoItemBytes } from '../../support/dynamo-item-size';
import { TABLE_NAME } from '../../support/fixtures';

/**
 * The largest input the API accepts, rendered and stored: it must fit every limit downstream, with
 * room to spare. If a limit in src/domain/input changes, this says whether it still fits.
 */

const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';
const STAGE_NAME = 'abcdefghij-klmnopqrs'; // 20 characters, the most a stage name has
const REGION = 'ap-southeast-4';
const LONGEST_ARN_NAME = 's'.repeat(512);

/** 100 variables with 128-character names whose values fill the byte budget exactly. */
function largestEnvironment(): Record<string, string> {
  const names = Array.from({ length: MAX_VARIABLES }, (_, i) =>
    `V${String(i).padStart(3, '0')}`.padEnd(128, 'X'),
  );
  const empty = environmentBytes(Object.fromEntries(names.map((name) => [name, ''])));
  const room = MAX_ENVIRONMENT_BYTES - empty;
  const env: Record<string, string> = {};
  names.forEach((name, i) => {
    const length = Math.floor(room / names.length) + (i < room % names.length ? 1 : 0);
    env[name] = 'v'.repeat(length);
  });
  return env;
}

/** A 253-character host name (the DNS maximum) of 63-character labels, starting with `first`. */
const longestHost = (first = 'h') =>
  `${first}${'a'.repeat(62)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

/** The longest origins: a wildcard, a 253-character host and a port. */
const largestOrigins = () =>
  Array.from({ length: MAX_ORIGINS }, (_, i) =>
    `https://*.${longestHost(String.fromCharCode(97 + i))}:65535`.slice(0, MAX_ORIGIN_LENGTH),
  );

const pick = <T, K extends keyof T>(from: T, ...names: K[]) =>
  Object.fromEntries(names.map((name) => [name, from[name]])) as Pick<T, K>;

const largestBody = (): CreateStageBody =>
  createStageBody.parse({
    name: STAGE_NAME,
    region: REGION,
    requireApproval: true,
    loadBalancer: true,
    port: 65535,
    environment: largestEnvironment(),
    origins: largestOrigins(),
    database: {
      engine: 'postgres',
      existing: {
        host: longestHost(),
        port: 65535,
        database: 'd'.repeat(128),
        secretArn: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${LONGEST_ARN_NAME}`,
      },
    },
    bastion: { allowedCidrs: Array.from({ length: 10 }, (_, i) => `203.0.113.${100 + i}/32`) },
    scaling: {
      cpu: 16384,
      memory: 122880,
      desiredCount: 50,
      minCount: 1,
      maxCount: 100,
      targetCpuPercent: 75,
    },
    healthCheckPath: `/${'h'.repeat(1023)}`,
    rollbackAlarms: { http5xxPercent: 99.5, unhealthyHosts: 100 },
  });

/** Every engine wired at once, replicas (which add READER variables), with the longest values. */
const largestDatabases = (): Database[] =>
  ENGINES.map((engine) => ({
    tenantId: 'acme',
    stackId: STACK_ID,
    stageName: STAGE_NAME,
    engine,
    mode: engine === 'redis' ? 'managed' : 'replica',
    status: 'AVAILABLE',
    passwordVersion: 1,
    host: 'h'.repeat(253),
    port: 65535,
    databaseName: 'd'.repeat(128),
    secretArn: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${LONGEST_ARN_NAME}`,
    replicaOf:
      engine === 'redis'
        ? undefined
        : {
            stageName: 'source',
            engine,
            region: 'us-east-1',
            sourceArn: 'arn:aws:rds:us-east-1:123456789012:db:source',
            writerHost: 'w'.repeat(253),
            writerPort: 65535,
            writerSecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${LONGEST_ARN_NAME}`,
          },
    lastOperationId: 'op_1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }));

/** Intrinsics resolve to ARNs and names: each counted as 512 characters, more than any of them. */
const resolved = (value: CfnValue): CfnValue => {
  if (Array.isArray(value)) return value.map(resolved);
  if (typeof value === 'object') {
    if (Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'))) return 'x'.repeat(512);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v)]));
  }
  return value;
};

function render(body: CreateStageBody) {
  const wiring = databaseWiring(largestDatabases());
  const environment = serviceEnvironment(
    body.environment!,
    platformEnvironment({
      stackId: STACK_ID,
      stageName: STAGE_NAME,
      port: body.port!,
      deploymentId: 'op_01hx3k9d0q7s8y4w2v6t5r1p0n',
      databases: wiring.environment,
    }),
  );
  const template = renderStageTemplate({
    stackId: STACK_ID,
    stackName: 'n'.repeat(64),
    stageName: STAGE_NAME,
    region: REGION,
    port: body.port!,
    loadBalancer: true,
    environment,
    origins: body.origins!,
    imageUri: `123456789012.dkr.ecr.${REGION}.amazonaws.com/${'r'.repeat(256)}:${'t'.repeat(128)}`,
    deploymentId: 'op_01hx3k9d0q7s8y4w2v6t5r1p0n',
    secrets: wiring.secrets,
    secretArns: wiring.secretArns,
    ...pick(stageSettings(body), 'scaling', 'healthCheckPath', 'rollbackAlarms'),
  });
  return { template, environment, wiring };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('the largest input the API accepts fits everything downstream', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo(TABLE_NAME);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  test('it is accepted, and one byte more of environment is refused naming environment', () => {
    // Prepare
    const body = largestBody();
    const first = Object.keys(body.environment!)[0]!;
    const over = { ...body, environment: { ...body.environment, [first]: `${body.environment![first]}x` } };

    // Act
    const refused = createStageBody.safeParse(over);

    // Assess
    expect(environmentBytes(body.environment!)).toBe(MAX_ENVIRONMENT_BYTES);
    // …and it fits in a request body, which the API takes up to 64 KB.
    expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(Math.max(...Object.values(body.environment!).map((v) => v.length))).toBeLessThanOrEqual(
      MAX_VALUE_LENGTH,
    );
    expect(refused.error?.issues[0]).toMatchObject({ path: ['environment'] });
    expect(refused.error?.issues[0]?.message).toMatch(/task definition/);
  });

  test('the budget counts the variables exactly as the task definition holds them', () => {
    // Prepare
    const env = { A: 'quote " backslash \\ tab \t', B: 'euro €', C: '' };

    // Act / Assess
    expect(environmentBytes(env)).toBe(bytes(containerEnvironment(env)));
  });

  test('the task definition stays under ECS’s 64 KiB with a quarter to spare', () => {
    // Prepare
    const body = largestBody();

    // Act
    const { template } = render(body);
    const taskDefinition = bytes(resolved(template.Resources.TaskDefinition!.Properties as CfnValue));
    const fixed = taskDefinition - environmentBytes(body.environment!);

    // Assess
    expect(fixed).toBeLessThanOrEqual(8 * 1024);
    expect(taskDefinition).toBeLessThanOrEqual(TASK_DEFINITION_MAX_BYTES * 0.8);
  });

  test('the template needs TemplateURL (over 51,200 bytes) and fits its 1 MB, 500 resources, 200 outputs', () => {
    // Prepare / Act
    const { template } = render(largestBody());
    const templates: CfnTemplate[] = [template, ...Object.values(FEATURE_TEMPLATES).flatMap((r) => r())];
    const templateBody = JSON.stringify(template);

    // Assess
    expect(Buffer.byteLength(templateBody)).toBeGreaterThan(TEMPLATE_LIMITS.templateBodyBytes);
    expect(Buffer.byteLength(templateBody)).toBeLessThanOrEqual(TEMPLATE_LIMITS.templateUrlBytes * 0.25);
    for (const t of templates) {
      expect(Object.keys(t.Resources).length).toBeLessThanOrEqual(500 * 0.25);
      expect(Object.keys(t.Outputs).length).toBeLessThanOrEqual(200 * 0.25);
    }
    // The template travels in the workflow's state (RenderStageTemplate → CreateStack), which Step
    // Functions caps at 256 KiB, as a JSON string inside JSON (its quotes escaped).
    expect(bytes({ rendered: { templateBody } })).toBeLessThanOrEqual(256 * 1024 * 0.5);
  });

  test('the stage item, its operation and its NEXT# item stay under DynamoDB’s 400 KB with most to spare', async () => {
    // Prepare
    const store = new Store(dynamo.documentClient, TABLE_NAME);
    const databases = new DatabaseStore(dynamo.documentClient, TABLE_NAME);
    const body = largestBody();
    const { environment, wiring } = render(body);
    const operation = newStageOperation(
      { tenantId: 'acme', userId: 'u'.repeat(128) },
      STACK_ID,
      STAGE_NAME,
      'CREATE_STAGE',
      body,
    );
    const stage: Stage = {
      ...stageSettings(body),
      tenantId: 'acme',
      stackId: STACK_ID,
      name: STAGE_NAME,
      region: REGION,
      status: 'CREATING',
      cfnStackName: cfnStackNameOf(STACK_ID, STAGE_NAME),
      imageUri: 'i'.repeat(512),
      outputs: {},
      serviceEnvironmentNames: [],
      lock: { operationId: operation.operationId, acquiredAt: operation.createdAt },
      lastOperationId: operation.operationId,
      lastError: 'e'.repeat(2000),
      createdAt: operation.createdAt,
      updatedAt: operation.createdAt,
    };
    const outputs = Object.fromEntries(Object.values(STAGE_OUTPUTS).map((key) => [key, 'o'.repeat(2048)]));
    const key = { tenantId: 'acme', stackId: STACK_ID, stageName: STAGE_NAME };

    // Act
    await store.createStage(stage);
    await store.setStageOutputs(
      stage,
      operation.operationId,
      outputs,
      serviceEnvironmentNames(environment, wiring.secrets),
    );
    await store.putOperation(operation);
    await databases.putFollowUps(key, followUpsOf(body, 'u'.repeat(128)));
    const items = await Promise.all(
      [
        keys.stage('acme', STACK_ID, STAGE_NAME),
        keys.operation('acme', operation.operationId),
        databaseKeys.followUps('acme', STACK_ID, STAGE_NAME),
      ].map(
        async (Key) =>
          (await dynamo.documentClient.send(new GetCommand({ TableName: TABLE_NAME, Key }))).Item!,
      ),
    );

    // Assess
    expect(items).toHaveLength(3);
    for (const item of items)
      expect(dynamoItemBytes(item)).toBeLessThanOrEqual(DYNAMODB_ITEM_MAX_BYTES * 0.25);
  });
});
