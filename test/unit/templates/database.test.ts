import type { Stack } from '@aws-sdk/client-cloudformation';
import { bastionStackName } from '../../../src/domain/bastion';
import { databaseStackName, ENGINE_SPECS, ENGINES, type Engine } from '../../../src/domain/database';
import { cfnStackNameOf } from '../../../src/domain/stage';
import { createOnlyProperties, LocalCloudFormation } from '../../../src/local/cloudformation';
import { SimulatedServices } from '../../../src/local/cloudformation/effects';
import { AMAZON_LINUX_AMI, renderBastionTemplate } from '../../../src/templates/bastion';
import {
  DATABASE_OUTPUTS,
  PASSWORD_LENGTH,
  renderDatabaseTemplate,
  secretLogicalId,
  type DatabaseTemplateInput,
} from '../../../src/templates/database';
import { renderStageTemplate, STAGE_OUTPUTS } from '../../../src/templates/stage';
import type { CfnResource, CfnTemplate } from '../../../src/templates/types';

/**
 * The database and bastion templates, every engine and shape, provisioned by the simulated
 * CloudFormation (which checks them against the resource specification) with its simulated
 * Secrets Manager, Parameter Store and database passwords.
 */
const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';
const services = new SimulatedServices();
const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
afterAll(() => cfn.dispose());

async function deploy(template: CfnTemplate, stackName: string, region: string): Promise<Stack> {
  const input = {
    StackName: stackName,
    TemplateBody: JSON.stringify(template),
    Capabilities: ['CAPABILITY_IAM' as const],
  };
  const exists = await cfn.describeStacks({ StackName: stackName }, region).catch(() => undefined);
  if (exists) await cfn.updateStack(input, region);
  else await cfn.createStack(input, region);
  await cfn.whenIdle();
  return (await cfn.describeStacks({ StackName: stackName }, region)).Stacks![0]!;
}

const outputsOf = (stack: Stack) =>
  Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

/** A stage stack to put databases in; its outputs are the network the database templates take. */
async function stage(stageName: string, region: string) {
  const template = renderStageTemplate({
    stackId: STACK_ID,
    stackName: 'shop',
    stageName,
    region,
    port: 8080,
    loadBalancer: false,
    environment: {},
    origins: ['http://localhost'],
    imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
    deploymentId: 'dep_1',
  });
  const outputs = outputsOf(await deploy(template, cfnStackNameOf(STACK_ID, stageName), region));
  return {
    outputs,
    network: {
      vpcId: outputs[STAGE_OUTPUTS.vpcId]!,
      privateSubnetIds: outputs[STAGE_OUTPUTS.privateSubnetIds]!.split(','),
      clientSecurityGroupIds: [
        outputs[STAGE_OUTPUTS.serviceSecurityGroupId]!,
        outputs[STAGE_OUTPUTS.bastionSecurityGroupId]!,
      ],
    },
  };
}

function input(overrides: Partial<DatabaseTemplateInput> & Pick<DatabaseTemplateInput, 'network'>) {
  const engine = overrides.engine ?? 'postgres';
  return {
    stackId: STACK_ID,
    stackName: 'shop',
    stageName: 'dev',
    engine,
    shape: 'managed' as const,
    instanceClass: ENGINE_SPECS[engine].defaultInstanceClass,
    storageGb: ENGINE_SPECS[engine].defaultStorageGb,
    passwordVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A stage with a new database of the engine in us-east-1: the source of the replicas below. */
async function sourceDatabase(stageName: string, engine: Engine = 'postgres') {
  const { network } = await stage(stageName, 'us-east-1');
  const template = renderDatabaseTemplate(input({ engine, stageName, network }));
  const stackName = databaseStackName(cfnStackNameOf(STACK_ID, stageName), engine);
  return outputsOf(await deploy(template, stackName, 'us-east-1'));
}

/** The template input and stack name of a read replica of `source` in a new stage of `region`. */
async function replicaOf(source: Record<string, string>, stageName: string, engine: Engine, region: string) {
  const target = await stage(stageName, region);
  return {
    replicaInput: input({
      engine,
      stageName,
      shape: 'replica',
      network: target.network,
      replica: { sourceArn: source[DATABASE_OUTPUTS.instanceArn]!, sourceRegion: 'us-east-1', region },
    }),
    stackName: databaseStackName(cfnStackNameOf(STACK_ID, stageName), engine),
  };
}

const secretOf = (arn: string) => JSON.parse(services.secrets.get(arn)!) as Record<string, unknown>;
const resourcesOfType = (template: CfnTemplate, type: string): CfnResource[] =>
  Object.values(template.Resources).filter((r) => r.Type === type);

describe('renderDatabaseTemplate', () => {
  test.each(ENGINES.flatMap((engine) => [1, 3].map((passwordVersion) => ({ engine, passwordVersion }))))(
    '$engine (password version $passwordVersion): provisions in the private subnets with a generated secret',
    async ({ engine, passwordVersion }) => {
      // Prepare
      const stageName = `${engine.slice(0, 2)}-v${passwordVersion}`;
      const { network } = await stage(stageName, 'us-east-1');
      const template = renderDatabaseTemplate(input({ engine, stageName, passwordVersion, network }));
      const stackName = databaseStackName(cfnStackNameOf(STACK_ID, stageName), engine);

      // Act
      const stack = await deploy(template, stackName, 'us-east-1');

      // Assess
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      const outputs = outputsOf(stack);
      expect(Number(outputs[DATABASE_OUTPUTS.port])).toBe(ENGINE_SPECS[engine].port);
      expect(outputs[DATABASE_OUTPUTS.endpoint]).toMatch(
        engine === 'redis' ? /\.cache\.amazonaws\.com$/ : /\.rds\.amazonaws\.com$/,
      );
      const secretId = secretLogicalId(stageName, engine);
      expect(secretId).toBe(`${stageName.replace(/-/g, '')}${engine}Secret`);
      const secret = template.Resources[secretId]!;
      expect(secret.Properties).toMatchObject({
        Name: expect.stringMatching(new RegExp(`^${stageName}/`)),
        Description: expect.stringContaining('TinyStacks stack shop'),
      });
      const value = secretOf(outputs[DATABASE_OUTPUTS.secretArn]!);
      expect(value.password).toMatch(new RegExp(`^[A-Za-z0-9]{${PASSWORD_LENGTH}}$`));
      expect(value.passwordVersion).toBe(String(passwordVersion));
      expect(value.username).toBe(ENGINE_SPECS[engine].username);
      const instance = template.Resources.Database!;
      const passwordProperty = engine === 'redis' ? 'AuthToken' : 'MasterUserPassword';
      expect(JSON.stringify(instance.Properties![passwordProperty])).toContain('{{resolve:secretsmanager:');
      const [databasePassword] =
        [...services.databasePasswords.entries()].find(([, p]) => p === value.password) ?? [];
      expect(databasePassword).toBeDefined();
      const [group] = resourcesOfType(template, 'AWS::EC2::SecurityGroup');
      expect(group!.Properties!.SecurityGroupIngress).toEqual(
        network.clientSecurityGroupIds.map((id) =>
          expect.objectContaining({ FromPort: ENGINE_SPECS[engine].port, SourceSecurityGroupId: id }),
        ),
      );
      if (engine === 'redis') {
        expect(instance.Properties).toMatchObject({
          AtRestEncryptionEnabled: true,
          TransitEncryptionEnabled: true,
        });
      } else {
        expect(instance).toMatchObject({
          DeletionPolicy: 'Snapshot',
          Properties: { StorageEncrypted: true, StorageType: 'gp3' },
        });
        expect(value).toMatchObject({
          host: outputs[DATABASE_OUTPUTS.endpoint],
          port: ENGINE_SPECS[engine].port,
          engine,
        });
      }
    },
  );

  test('a new password version generates a new secret value, and the instance takes it', async () => {
    // Prepare
    const { network } = await stage('rekey', 'us-east-1');
    const stackName = databaseStackName(cfnStackNameOf(STACK_ID, 'rekey'), 'mysql');
    const first = outputsOf(
      await deploy(
        renderDatabaseTemplate(input({ engine: 'mysql', stageName: 'rekey', network })),
        stackName,
        'us-east-1',
      ),
    );
    const before = secretOf(first[DATABASE_OUTPUTS.secretArn]!).password as string;

    // Act
    const second = await deploy(
      renderDatabaseTemplate(input({ engine: 'mysql', stageName: 'rekey', network, passwordVersion: 2 })),
      stackName,
      'us-east-1',
    );

    // Assess
    expect(second.StackStatus).toBe('UPDATE_COMPLETE');
    const after = secretOf(first[DATABASE_OUTPUTS.secretArn]!).password as string;
    expect(after).not.toBe(before);
    expect([...services.databasePasswords.values()]).toContain(after);
    expect([...services.databasePasswords.values()]).not.toContain(before);
  });

  test.each(['postgres', 'mysql'] as Engine[])(
    '%s read replica in another region, then promoted: KMS key of its region, source untouched',
    async (engine) => {
      // Prepare: the source in us-east-1, the replica's stage in eu-west-1
      const sourceStack = await sourceDatabase(`src-${engine}`, engine);
      const sourcePassword = secretOf(sourceStack[DATABASE_OUTPUTS.secretArn]!).password;
      const { replicaInput, stackName: replicaStackName } = await replicaOf(
        sourceStack,
        `eu-${engine}`,
        engine,
        'eu-west-1',
      );

      // Act
      const replica = await deploy(renderDatabaseTemplate(replicaInput), replicaStackName, 'eu-west-1');

      // Assess
      expect(replica.StackStatus).toBe('CREATE_COMPLETE');
      const template = renderDatabaseTemplate(replicaInput);
      expect(template.Resources.Database!.Properties).toMatchObject({
        SourceDBInstanceIdentifier: sourceStack[DATABASE_OUTPUTS.instanceArn],
        SourceRegion: 'us-east-1',
        KmsKeyId: { 'Fn::Sub': expect.stringContaining('alias/aws/rds') },
      });
      expect(template.Resources.Database!.Properties).not.toHaveProperty('MasterUserPassword');
      expect(template.Resources.Database!.Properties).not.toHaveProperty('StorageEncrypted');
      expect(outputsOf(replica)[DATABASE_OUTPUTS.endpoint]).toContain('.eu-west-1.rds.amazonaws.com');
      expect(outputsOf(replica)[DATABASE_OUTPUTS.secretArn]).toBeUndefined();

      // Act: promote
      const promoted = await deploy(
        renderDatabaseTemplate({ ...replicaInput, shape: 'promoted' }),
        replicaStackName,
        'eu-west-1',
      );

      // Assess
      expect(promoted.StackStatus).toBe('UPDATE_COMPLETE');
      const promotedOutputs = outputsOf(promoted);
      expect(promotedOutputs[DATABASE_OUTPUTS.endpoint]).toBe(outputsOf(replica)[DATABASE_OUTPUTS.endpoint]);
      expect(Number(promotedOutputs[DATABASE_OUTPUTS.port])).toBe(ENGINE_SPECS[engine].port);
      const ownSecret = secretOf(promotedOutputs[DATABASE_OUTPUTS.secretArn]!);
      expect(ownSecret.password).not.toBe(sourcePassword);
      expect(secretOf(sourceStack[DATABASE_OUTPUTS.secretArn]!).password).toBe(sourcePassword);
      expect([...services.databasePasswords.values()]).toEqual(
        expect.arrayContaining([sourcePassword, ownSecret.password]),
      );
    },
  );

  test.each(['postgres', 'mysql'] as Engine[])(
    "%s read replica in its source's region, then promoted: the source's encryption, no KMS key named",
    async (engine) => {
      // Prepare
      const sourceStack = await sourceDatabase(`same-${engine}`, engine);
      const { replicaInput, stackName } = await replicaOf(
        sourceStack,
        `samer-${engine}`,
        engine,
        'us-east-1',
      );

      // Act
      const replica = await deploy(renderDatabaseTemplate(replicaInput), stackName, 'us-east-1');
      const promoted = await deploy(
        renderDatabaseTemplate({ ...replicaInput, shape: 'promoted' }),
        stackName,
        'us-east-1',
      );

      // Assess
      expect(replica.StackStatus).toBe('CREATE_COMPLETE');
      expect(promoted.StackStatus).toBe('UPDATE_COMPLETE');
      for (const shape of ['replica', 'promoted'] as const) {
        const properties = renderDatabaseTemplate({ ...replicaInput, shape }).Resources.Database!.Properties!;
        expect(Object.keys(properties)).toEqual(
          expect.not.arrayContaining(['StorageEncrypted', 'KmsKeyId', 'SourceRegion']),
        );
      }
    },
  );

  test.each([
    [
      'StorageEncrypted with SourceDBInstanceIdentifier (cfn-lint E3020)',
      { StorageEncrypted: true },
      /Properties validation failed for resource Database with message: #: failed validation constraint for keyword \[dependentExcluded\]/,
    ],
    [
      "a KMS key on a replica in its source's region",
      { KmsKeyId: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/rds' } },
      /^InvalidParameterCombination: A read replica in the source's region is encrypted with the source's KMS key/,
    ],
  ])('a replica with %s fails and rolls back, as on AWS', async (_, defect, reason) => {
    // Prepare
    const name = Object.keys(defect)[0]!.toLowerCase().slice(0, 8);
    const sourceStack = await sourceDatabase(`src-${name}`);
    const { replicaInput } = await replicaOf(sourceStack, `rep-${name}`, 'postgres', 'us-east-1');
    const template = renderDatabaseTemplate(replicaInput);
    Object.assign(template.Resources.Database!.Properties!, defect);
    const stackName = `refused-${Object.keys(defect)[0]}`;

    // Act
    const stack = await deploy(template, stackName, 'us-east-1');

    // Assess
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const { StackEvents } = await cfn.describeStackEvents({ StackName: stackName }, 'us-east-1');
    const failed = StackEvents!.find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({
      LogicalResourceId: 'Database',
      ResourceStatusReason: expect.stringMatching(reason),
    });
  });

  test.each([
    ['us-east-1', 'us-east-1'],
    ['us-east-1', 'eu-west-1'],
  ])('promotion (source in %s, replica in %s) changes no create-only property', (sourceRegion, region) => {
    // Prepare
    const replicaInput = input({
      shape: 'replica',
      network: {
        vpcId: 'vpc-0a1b2c3d4e5f67890',
        privateSubnetIds: ['subnet-0a1b2c3d4e5f67890'],
        clientSecurityGroupIds: [],
      },
      replica: { sourceArn: `arn:aws:rds:${sourceRegion}:123456789012:db:source`, sourceRegion, region },
    });
    const createOnly = createOnlyProperties('AWS::RDS::DBInstance')!.map((pointer) =>
      pointer.replace('/properties/', ''),
    );

    // Act
    const replica = renderDatabaseTemplate(replicaInput).Resources.Database!.Properties!;
    const promoted = renderDatabaseTemplate({ ...replicaInput, shape: 'promoted' }).Resources.Database!
      .Properties!;

    // Assess
    expect(createOnly).toEqual(
      expect.arrayContaining(['KmsKeyId', 'SourceRegion', 'StorageEncrypted', 'DBSubnetGroupName']),
    );
    for (const name of createOnly) expect([name, promoted[name]]).toEqual([name, replica[name]]);
  });

  test('a cross-region replica without a KMS key of its region is refused, as RDS does', async () => {
    // Prepare
    const source = await stage('src-nokms', 'us-east-1');
    const sourceStack = outputsOf(
      await deploy(
        renderDatabaseTemplate(input({ stageName: 'src-nokms', network: source.network })),
        databaseStackName(cfnStackNameOf(STACK_ID, 'src-nokms'), 'postgres'),
        'us-east-1',
      ),
    );
    const target = await stage('eu-nokms', 'eu-west-1');
    const template = renderDatabaseTemplate(
      input({
        stageName: 'eu-nokms',
        shape: 'replica',
        network: target.network,
        replica: {
          sourceArn: sourceStack[DATABASE_OUTPUTS.instanceArn]!,
          sourceRegion: 'us-east-1',
          region: 'eu-west-1',
        },
      }),
    );
    delete template.Resources.Database!.Properties!.KmsKeyId;

    // Act
    const stack = await deploy(
      template,
      databaseStackName(cfnStackNameOf(STACK_ID, 'eu-nokms'), 'postgres'),
      'eu-west-1',
    );

    // Assess
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
  });

  test.each([
    ['postgres', 'its secret too: the snapshot holds the password hashes', true],
    ['mysql', 'its secret too: the snapshot holds the password hashes', true],
    ['redis', 'not its secret: a restored cache gets a new AUTH token', false],
  ] as const)('deleting a %s stack keeps a final snapshot, and %s', async (engine, _, secretKept) => {
    // Prepare
    const stageName = `gone-${engine}`;
    const { network } = await stage(stageName, 'us-east-1');
    const stackName = databaseStackName(cfnStackNameOf(STACK_ID, stageName), engine);
    const outputs = outputsOf(
      await deploy(renderDatabaseTemplate(input({ engine, stageName, network })), stackName, 'us-east-1'),
    );
    const snapshotsBefore = services.snapshots.length;
    const secretArn = outputs[DATABASE_OUTPUTS.secretArn]!;
    const password = secretOf(secretArn).password;

    // Act
    await cfn.deleteStack({ StackName: stackName }, 'us-east-1');
    await cfn.whenIdle();

    // Assess
    expect(services.snapshots.length).toBe(snapshotsBefore + 1);
    if (secretKept) expect(secretOf(secretArn).password).toBe(password);
    else expect(services.secrets.get(secretArn)).toBeUndefined();
  });
});

describe('renderBastionTemplate', () => {
  test.each([[['203.0.113.7/32']], [['203.0.113.7/32', '198.51.100.0/24']]])(
    'SSH open to %j only, a key pair whose private key lands in Parameter Store',
    async (allowedCidrs) => {
      // Prepare
      const stageName = `bastion-${allowedCidrs.length}`;
      const { outputs } = await stage(stageName, 'us-east-1');
      const template = renderBastionTemplate({
        stackId: STACK_ID,
        stackName: 'shop',
        stageName,
        allowedCidrs,
        vpcId: outputs[STAGE_OUTPUTS.vpcId]!,
        subnetId: outputs[STAGE_OUTPUTS.publicSubnetIds]!.split(',')[0]!,
        bastionSecurityGroupId: outputs[STAGE_OUTPUTS.bastionSecurityGroupId]!,
      });

      // Act
      const stack = await deploy(
        template,
        bastionStackName(cfnStackNameOf(STACK_ID, stageName)),
        'us-east-1',
      );

      // Assess
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      const out = outputsOf(stack);
      expect(out.BastionHost).toMatch(/^ec2-[\d-]+\.compute-1\.amazonaws\.com$/);
      expect(services.parameters.get('us-east-1', `/ec2/keypair/${out.KeyPairId}`)).toMatch(
        /^-----BEGIN RSA PRIVATE KEY-----/,
      );
      const ssh = template.Resources.BastionSshSecurityGroup!.Properties!.SecurityGroupIngress as Record<
        string,
        unknown
      >[];
      expect(ssh).toEqual(
        allowedCidrs.map((cidr) => expect.objectContaining({ FromPort: 22, ToPort: 22, CidrIp: cidr })),
      );
      expect(template.Resources.BastionInstance!.Properties).toMatchObject({
        ImageId: AMAZON_LINUX_AMI,
        InstanceType: 't4g.nano',
        SecurityGroupIds: [expect.anything(), outputs[STAGE_OUTPUTS.bastionSecurityGroupId]],
      });
    },
  );
});

describe('the stage template with databases', () => {
  test('passwords reach the container as Secrets, readable by the execution role only', async () => {
    // Prepare
    const secretArn =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/tinystacks/x/postgres-1-AbCdEf';

    // Act
    const template = renderStageTemplate({
      stackId: STACK_ID,
      stackName: 'shop',
      stageName: 'with-db',
      region: 'us-east-1',
      port: 8080,
      loadBalancer: true,
      environment: { PG_HOST: 'db.example', PG_PORT: '5432', PG_DATABASE: 'app' },
      origins: ['http://localhost'],
      imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
      deploymentId: 'dep_2',
      secrets: { PG_CREDENTIALS_SECRET: `${secretArn}:password::` },
      secretArns: [secretArn],
    });
    const stack = await deploy(template, cfnStackNameOf(STACK_ID, 'with-db'), 'us-east-1');

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const [container] = template.Resources.TaskDefinition!.Properties!.ContainerDefinitions as Record<
      string,
      unknown
    >[];
    expect(container!.Secrets).toEqual([
      { Name: 'PG_CREDENTIALS_SECRET', ValueFrom: `${secretArn}:password::` },
    ]);
    expect(JSON.stringify(container!.Environment)).not.toContain('CREDENTIALS');
    expect(template.Resources.TaskExecutionRole!.Properties!.Policies).toEqual([
      expect.objectContaining({
        PolicyDocument: expect.objectContaining({
          Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] }],
        }),
      }),
    ]);
  });
});
