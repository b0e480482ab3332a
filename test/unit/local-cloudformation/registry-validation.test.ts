import {
  CloudFormationError,
  createOnlyProperties,
  loadRegistrySchemas,
} from '../../../src/local/cloudformation';
import { TEMPLATE_LIMITS } from '../../../src/local/cloudformation';
import { matrixResourceTypes } from '../../support/template-matrix';
import {
  allEvents,
  body,
  createAndWait,
  describe as describeStack,
  newCloudFormation,
  REGION,
  stackStatuses,
} from './helpers';

/**
 * Values and combinations checked against the resource providers' schemas (generated from
 * cfn-lint's copy of the CloudFormation registry), and the template and tag quotas.
 */
const { cfn } = newCloudFormation();
afterAll(() => cfn.dispose());

const group = (properties: Record<string, unknown>) => ({
  Resources: { Group: { Type: 'AWS::EC2::SecurityGroup', Properties: properties } },
});

async function failureReason(stackName: string): Promise<string | undefined> {
  const events = await allEvents(cfn, stackName);
  return events.find(
    (event) =>
      event.ResourceStatus?.endsWith('_FAILED') && event.ResourceType !== 'AWS::CloudFormation::Stack',
  )?.ResourceStatusReason;
}

describe("property values and combinations from the providers' schemas", () => {
  test.each([
    [
      'a pattern (an apostrophe in a security group description)',
      'AWS::EC2::SecurityGroup',
      { GroupDescription: "the stage's service" },
      '#/GroupDescription: failed validation constraint for keyword [pattern]',
    ],
    [
      'an enum',
      'AWS::Logs::LogGroup',
      { RetentionInDays: 31 },
      '#/RetentionInDays: failed validation constraint for keyword [enum]',
    ],
    [
      'a maximum length',
      'AWS::Logs::LogGroup',
      { LogGroupName: `/x/${'a'.repeat(600)}` },
      '[#/LogGroupName: expected maxLength: 512, actual: 603, #/LogGroupName: failed validation constraint for keyword [pattern]]',
    ],
    [
      'a minimum length',
      'AWS::ECR::Repository',
      { RepositoryName: 'a' },
      '[#/RepositoryName: expected minLength: 2, actual: 1, #/RepositoryName: failed validation constraint for keyword [pattern]]',
    ],
    [
      'a range',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      { Port: 70000, Protocol: 'HTTP', VpcId: 'vpc-0a1b2c3d4e5f67890' },
      '#/Port: 70000 is not less or equal to 65535',
    ],
    [
      'a forbidden combination (StorageEncrypted on a read replica, cfn-lint E3020)',
      'AWS::RDS::DBInstance',
      {
        SourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:123456789012:db:source',
        StorageEncrypted: true,
        DBInstanceClass: 'db.t4g.micro',
      },
      '#: failed validation constraint for keyword [dependentExcluded] (a property is set together with one it excludes)',
    ],
    [
      'an AWS id format',
      'AWS::EC2::Subnet',
      { VpcId: 'my-vpc', CidrBlock: '10.0.0.0/24' },
      '#/VpcId: failed validation constraint for keyword [format]',
    ],
    [
      'a Fargate CPU and memory pair',
      'AWS::ECS::TaskDefinition',
      {
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '256',
        Memory: '4096',
        ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }],
      },
      '#: #: no subschema matched out of the total 7 subschemas',
    ],
  ])('%s is refused: the resource fails and the stack rolls back', async (_, type, properties, message) => {
    // Prepare
    const stackName = `values-${type.split('::')[2]!.toLowerCase()}-${Math.abs(JSON.stringify(properties).length)}`;
    const template = { Resources: { Thing: { Type: type, Properties: properties } } };

    // Act
    const stack = await createAndWait(cfn, stackName, template);

    // Assess
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(await failureReason(stackName)).toBe(
      `Properties validation failed for resource Thing with message: ${message}`,
    );
  });

  test('several problems are reported together, as CloudFormation does', async () => {
    // Prepare
    const template = group({ GroupDescription: 'x'.repeat(300).replace('x', "'") });

    // Act
    await createAndWait(cfn, 'values-several', template);

    // Assess
    expect(await failureReason('values-several')).toBe(
      'Properties validation failed for resource Group with message: [' +
        '#/GroupDescription: expected maxLength: 255, actual: 300, ' +
        '#/GroupDescription: failed validation constraint for keyword [pattern]]',
    );
  });

  test("Unicode and POSIX classes in patterns (\\p{L}, \\p{Print}) hold as AWS reads them, not as the letters 'p{L}'", () => {
    // Prepare
    const schemas = loadRegistrySchemas();
    const policy = (PolicyName: string) => ({
      PolicyName,
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: 'service/c/s|ecs:service:DesiredCount|ecs',
    });
    const cluster = (Value: string) => ({ Tags: [{ Key: 'team', Value }] });

    // Act
    const printable = schemas.validate(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      policy('ts-stk_1-dev cpu'),
    );
    const control = schemas.validate('AWS::ApplicationAutoScaling::ScalingPolicy', policy('cpu\nhigh'));
    const letters = schemas.validate('AWS::ECS::Cluster', cluster('Équipe 7 ops'));
    const hash = schemas.validate('AWS::ECS::Cluster', cluster('ops#7'));

    // Assess
    expect([printable, letters]).toEqual([[], []]);
    expect(control).toEqual(['#/PolicyName: failed validation constraint for keyword [pattern]']);
    expect(hash).toEqual(['#/Tags/0/Value: failed validation constraint for keyword [pattern]']);
  });

  test('an update to an invalid value fails the resource and rolls the update back', async () => {
    // Prepare
    await createAndWait(cfn, 'values-update', group({ GroupDescription: 'valid' }));

    // Act
    await cfn.updateStack(
      { StackName: 'values-update', TemplateBody: body(group({ GroupDescription: 'café' })) },
      REGION,
    );
    await cfn.whenIdle();

    // Assess
    const stack = await describeStack(cfn, 'values-update');
    const events = await allEvents(cfn, 'values-update');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stackStatuses(events).slice(-4)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(events.find((event) => event.ResourceStatus === 'UPDATE_FAILED')?.ResourceStatusReason).toBe(
      'Properties validation failed for resource Group with message: #/GroupDescription: failed validation constraint for keyword [pattern]',
    );
  });

  test('numbers and booleans given as text are accepted, as CloudFormation converts them', async () => {
    // Prepare
    const template = {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: '30' } },
        Target: {
          Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
          Properties: {
            Port: '8080',
            Protocol: 'HTTP',
            VpcId: 'vpc-0a1b2c3d4e5f67890',
            HealthCheckEnabled: 'true',
          },
        },
      },
    };

    // Act
    const stack = await createAndWait(cfn, 'values-text', template);

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  });

  test('a dynamic reference is not held to a string constraint before CloudFormation resolves it', async () => {
    // Prepare
    const template = {
      Resources: {
        Host: {
          Type: 'AWS::EC2::Instance',
          Properties: {
            ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}',
          },
        },
      },
    };

    // Act
    const stack = await createAndWait(cfn, 'values-dynamic', template);

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  });

  test("exposes each type's create-only properties, and the schemas' source and version", () => {
    // Act
    const createOnly = createOnlyProperties('AWS::EC2::SecurityGroup');

    // Assess
    expect(createOnly).toEqual([
      '/properties/GroupDescription',
      '/properties/GroupName',
      '/properties/VpcId',
    ]);
    expect(createOnlyProperties('AWS::SQS::Queue')).toBeUndefined();
    expect(loadRegistrySchemas().source).toMatch(/^cfn-lint \d+\.\d+\.\d+: /);
  });
});

test('every resource type the templates render has a schema: regenerate them when one is added', () => {
  // Act
  const missing = matrixResourceTypes().filter((type) => !loadRegistrySchemas().types().includes(type));

  // Assess
  expect(missing).toEqual([]);
});

describe('template and tag quotas', () => {
  async function createError(input: Record<string, unknown>): Promise<CloudFormationError> {
    try {
      await cfn.createStack({ StackName: 'quota', ...input }, REGION);
    } catch (error) {
      return error as CloudFormationError;
    }
    throw new Error('createStack accepted it');
  }

  const buckets = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`B${i}`, { Type: 'AWS::S3::Bucket' }]));

  test.each([
    [
      'a TemplateBody over 51,200 bytes',
      {
        TemplateBody: body({
          Description: 'x',
          Resources: buckets(1),
          Metadata: { pad: 'x'.repeat(TEMPLATE_LIMITS.templateBodyBytes) },
        }),
      },
      "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200",
    ],
    [
      'more than 500 resources',
      { TemplateBody: body({ Resources: buckets(501) }) },
      'Template format error: Number of resources, 501, is greater than maximum allowed, 500',
    ],
    [
      'more than 200 outputs',
      {
        TemplateBody: body({
          Resources: buckets(1),
          Outputs: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: 'v' }])),
        }),
      },
      'Template format error: Number of outputs, 201, is greater than maximum allowed, 200',
    ],
    [
      'more than 200 parameters',
      {
        TemplateBody: body({
          Resources: buckets(1),
          Parameters: Object.fromEntries(
            Array.from({ length: 201 }, (_, i) => [`P${i}`, { Type: 'String', Default: 'x' }]),
          ),
        }),
      },
      'Template format error: Number of parameters, 201, is greater than maximum allowed, 200',
    ],
    [
      'more than 50 stack tags',
      {
        TemplateBody: body({ Resources: buckets(1) }),
        Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      },
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    ],
    [
      'a tag key over 128 characters',
      { TemplateBody: body({ Resources: buckets(1) }), Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] },
      "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length between 1 and 128",
    ],
    [
      'a tag value over 256 characters',
      { TemplateBody: body({ Resources: buckets(1) }), Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] },
      "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
    ],
  ])('CreateStack refuses %s with a ValidationError', async (_, input, message) => {
    // Act
    const error = await createError(input);

    // Assess
    expect(error).toBeInstanceOf(CloudFormationError);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(message);
  });

  test('accepts a template at exactly the limits', async () => {
    // Prepare
    const template = {
      Resources: buckets(500),
      Outputs: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`O${i}`, { Value: 'v' }])),
    };

    // Act
    const stack = await createAndWait(cfn, 'at-limits', template, {
      Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v'.repeat(256) })),
    });

    // Assess
    expect(body(template).length).toBeLessThanOrEqual(TEMPLATE_LIMITS.templateBodyBytes);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  });
});
