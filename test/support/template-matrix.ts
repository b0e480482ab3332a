/**
 * Every CloudFormation template the workflows can render, over the options that change their shape:
 * stages with and without a load balancer, at the API's largest environment and origins, with
 * databases wired in, scaled, autoscaled (a deploy that sets the count and one that keeps it), with
 * rollback alarms and a health check path; every database engine and shape (new, read replica in the source's region and
 * in another, promoted) at two password versions; a bastion; the build pipeline; the customer's role.
 * The cfn-lint test lints them all and scripts/aws-data/generate-resource-schemas.ts takes the
 * resource types from them, so a new template or resource type gets checked without further work.
 */
import { databaseWiring, ENGINE_SPECS, ENGINES, REPLICABLE_ENGINES } from '../../src/domain/database';
import type { Database, Engine } from '../../src/domain/database';
import { customerRoleTemplate } from '../../src/domain/customer-role';
import { platformEnvironment, serviceEnvironment } from '../../src/domain/environment';
import { environment as environmentSchema, origins as originsSchema } from '../../src/domain/input/fields';
import { renderBastionTemplate } from '../../src/templates/bastion';
import { renderDatabaseTemplate } from '../../src/templates/database';
import type { DatabaseTemplateInput } from '../../src/templates/database';
import { renderPipelineTemplate } from '../../src/templates/pipeline';
import { resolveScaling } from '../../src/domain/scaling';
import { renderStageTemplate, type StageTemplateInput } from '../../src/templates/stage';
import type { CfnTemplate } from '../../src/templates/types';

export interface MatrixTemplate {
  /** A file-name-safe name saying which options it was rendered with. */
  name: string;
  template: CfnTemplate | Record<string, unknown>;
}

const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';
const ACCOUNT = '123456789012';
const NETWORK = {
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  privateSubnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0a1b2c3d4e5f67891'],
  clientSecurityGroupIds: ['sg-0a1b2c3d4e5f67890', 'sg-0a1b2c3d4e5f67891'],
};

/** The largest n for which accepts(n) holds, for accepts true at 0 and monotone. */
function largest(accepts: (n: number) => boolean, upTo = 1 << 20): number {
  let low = 0;
  let high = upTo;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (accepts(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

const variables = (count: number, length: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`VAR_${i}`, 'x'.repeat(length)]));

/**
 * The largest environments the API accepts, asked of its own schema: the most variables of one
 * character, and the most variables of the longest value. Whatever limits the API has, the
 * templates are linted at them.
 */
export function largestEnvironments(): Record<string, string>[] {
  const accepted = (env: Record<string, string>) => environmentSchema.safeParse(env).success;
  const mostVariables = largest((n) => accepted(variables(n, 1)), 10_000);
  const longestValue = largest((n) => accepted(variables(1, n)));
  const mostLongest = largest((n) => accepted(variables(n, longestValue)), mostVariables);
  return [variables(mostVariables, 1), variables(mostLongest, longestValue)];
}

export function largestOrigins(): string[] {
  const list = (n: number) => Array.from({ length: n }, (_, i) => `https://app-${i}.example.com:8443`);
  return list(largest((n) => originsSchema.safeParse(list(n)).success, 1000));
}

const record = (engine: Engine, overrides: Partial<Database> = {}): Database => ({
  tenantId: 't1',
  stackId: STACK_ID,
  stageName: 'dev',
  engine,
  mode: 'managed',
  status: 'AVAILABLE',
  passwordVersion: 1,
  host: `${engine}.cluster.example.internal`,
  port: ENGINE_SPECS[engine].port,
  databaseName: ENGINE_SPECS[engine].databaseName,
  secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:dev/tinystacks/${STACK_ID}/${engine}-AbCdEf`,
  lastOperationId: 'op_1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

/** A stage's databases: one of each engine managed here, an existing one, and a replica's. */
function stageDatabases(): Database[][] {
  return [
    ENGINES.map((engine) => record(engine)),
    [record('postgres', { mode: 'existing' })],
    [
      record('mysql', {
        mode: 'replica',
        secretArn: undefined,
        replicaOf: {
          stageName: 'prod',
          engine: 'mysql',
          region: 'eu-west-1',
          sourceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:source`,
          writerHost: 'source.example.internal',
          writerPort: 3306,
          writerSecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/tinystacks/x/mysql-AbCdEf`,
        },
      }),
    ],
  ];
}

/** A fixed count of a larger size, and the 1024/2048 between 2 and 6 tasks. */
const SCALED = resolveScaling({ cpu: 4096, memory: 30720, desiredCount: 3 });
const AUTOSCALED = resolveScaling({ cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6 });

function stageTemplates(): MatrixTemplate[] {
  const templates: MatrixTemplate[] = [];
  const stage = (
    name: string,
    options: {
      loadBalancer: boolean;
      env?: Record<string, string>;
      origins?: string[];
      databases?: Database[];
      sizing?: Pick<StageTemplateInput, 'scaling' | 'keepTaskCount' | 'healthCheckPath' | 'rollbackAlarms'>;
    },
  ) => {
    const wiring = databaseWiring(options.databases ?? []);
    const environment = serviceEnvironment(
      options.env ?? {},
      platformEnvironment({
        stackId: STACK_ID,
        stageName: 'dev',
        port: 8080,
        deploymentId: 'op_01hx3k9d0q7s8y4w2v6t5r1p0n',
        databases: wiring.environment,
      }),
    );
    templates.push({
      name: `stage-${name}`,
      template: renderStageTemplate({
        stackId: STACK_ID,
        stackName: 'shop',
        stageName: 'dev',
        region: 'us-east-1',
        port: 8080,
        loadBalancer: options.loadBalancer,
        environment,
        origins: options.origins ?? ['http://localhost'],
        imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
        deploymentId: 'op_01hx3k9d0q7s8y4w2v6t5r1p0n',
        secrets: wiring.secrets,
        secretArns: wiring.secretArns,
        ...options.sizing,
      }),
    });
  };
  const [mostVariables, longestValues] = largestEnvironments();
  for (const loadBalancer of [false, true]) {
    const lb = loadBalancer ? 'lb' : 'cloudmap';
    stage(`${lb}-defaults`, { loadBalancer });
    stage(`${lb}-most-variables`, { loadBalancer, env: mostVariables, origins: largestOrigins() });
    stage(`${lb}-longest-variables`, { loadBalancer, env: longestValues, origins: [] });
    stageDatabases().forEach((databases, i) => stage(`${lb}-databases-${i}`, { loadBalancer, databases }));
    stage(`${lb}-scaled`, { loadBalancer, sizing: { scaling: SCALED } });
    stage(`${lb}-autoscaled`, { loadBalancer, sizing: { scaling: AUTOSCALED } });
    stage(`${lb}-autoscaled-keeping-count`, {
      loadBalancer,
      sizing: { scaling: AUTOSCALED, keepTaskCount: true },
    });
  }
  stage('lb-alarms', {
    loadBalancer: true,
    sizing: {
      scaling: resolveScaling({
        cpu: 16384,
        memory: 122880,
        desiredCount: 0,
        maxCount: 100,
        targetCpuPercent: 75,
      }),
      healthCheckPath: `/health?probe=${'x'.repeat(1000)}`,
      rollbackAlarms: { http5xxPercent: 0.5, unhealthyHosts: 100 },
    },
  });
  stage('lb-alarm-5xx', { loadBalancer: true, sizing: { rollbackAlarms: { http5xxPercent: 100 } } });
  return templates;
}

function databaseTemplates(): MatrixTemplate[] {
  const templates: MatrixTemplate[] = [];
  const base = (engine: Engine, passwordVersion: number): DatabaseTemplateInput => ({
    stackId: STACK_ID,
    stackName: 'shop',
    stageName: 'dev',
    engine,
    shape: 'managed',
    instanceClass: ENGINE_SPECS[engine].defaultInstanceClass,
    storageGb: ENGINE_SPECS[engine].defaultStorageGb,
    passwordVersion,
    createdAt: '2026-01-01T00:00:00.000Z',
    network: NETWORK,
  });
  for (const passwordVersion of [1, 3]) {
    for (const engine of ENGINES) {
      templates.push({
        name: `database-${engine}-managed-v${passwordVersion}`,
        template: renderDatabaseTemplate(base(engine, passwordVersion)),
      });
    }
    for (const engine of REPLICABLE_ENGINES) {
      for (const sourceRegion of ['us-east-1', 'eu-west-1']) {
        const where = sourceRegion === 'us-east-1' ? 'same-region' : 'cross-region';
        const replica = {
          sourceArn: `arn:aws:rds:${sourceRegion}:${ACCOUNT}:db:tinystacks-source`,
          sourceRegion,
          region: 'us-east-1',
        };
        for (const shape of ['replica', 'promoted'] as const) {
          templates.push({
            name: `database-${engine}-${shape}-${where}-v${passwordVersion}`,
            template: renderDatabaseTemplate({ ...base(engine, passwordVersion), shape, replica }),
          });
        }
      }
    }
  }
  return templates;
}

/** Every template, each with a distinct name. */
export function templateMatrix(): MatrixTemplate[] {
  return [
    ...stageTemplates(),
    ...databaseTemplates(),
    {
      name: 'bastion',
      template: renderBastionTemplate({
        stackId: STACK_ID,
        stackName: 'shop',
        stageName: 'dev',
        allowedCidrs: ['203.0.113.7/32', '198.51.100.0/24'],
        vpcId: NETWORK.vpcId,
        subnetId: NETWORK.privateSubnetIds[0]!,
        bastionSecurityGroupId: NETWORK.clientSecurityGroupIds[1]!,
      }),
    },
    {
      name: 'pipeline',
      template: renderPipelineTemplate({
        stackId: STACK_ID,
        stackName: 'shop',
        repository: 'acme/shop',
        branch: 'release/2026.1',
      }),
    },
    {
      name: 'customer-role',
      template: customerRoleTemplate({
        platformPrincipalArn: `arn:aws:iam::${'210987654321'}:role/tinystacks-prod-platform-principal`,
        verifierPrincipalArn: `arn:aws:iam::${'210987654321'}:role/tinystacks-prod-createStack`,
        externalId: 'ext-0123456789abcdef',
        eventBusArn: `arn:aws:events:us-east-1:${'210987654321'}:event-bus/tinystacks-prod`,
      }),
    },
  ];
}

/** The resource types the matrix renders, sorted. */
export function matrixResourceTypes(): string[] {
  const types = new Set<string>();
  for (const { template } of templateMatrix()) {
    for (const resource of Object.values((template as CfnTemplate).Resources)) types.add(resource.Type);
  }
  return [...types].sort();
}
