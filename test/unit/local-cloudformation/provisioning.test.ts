import {
  allEvents,
  bucketTemplate,
  createAndWait,
  newCloudFormation,
  outputsOf,
  REGION,
  stackStatuses,
} from './helpers';

const { cfn } = newCloudFormation();
afterEach(() => cfn.clearFailures());
afterAll(() => cfn.dispose());

const trust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('resource validation while provisioning', () => {
  test('an unknown property fails the resource and rolls the stack back', async () => {
    // Prepare
    const template = bucketTemplate({ BucketName: 'b', Colour: 'blue' });

    // Act
    const stack = await createAndWait(cfn, 'unknown-property', template);

    // Assess
    const events = await allEvents(cfn, 'unknown-property');
    const failed = events.find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(failed).toMatchObject({
      LogicalResourceId: 'Bucket',
      ResourceStatusReason: 'Encountered unsupported property Colour',
    });
    expect(stackStatuses(events)).toEqual([
      'CREATE_IN_PROGRESS',
      'ROLLBACK_IN_PROGRESS',
      'ROLLBACK_COMPLETE',
    ]);
    expect(
      events.find((event) => event.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason,
    ).toBe('The following resource(s) failed to create: [Bucket]. Rollback requested by user.');
    expect(stack.Outputs).toEqual([]);
  });

  test('a missing required property fails with the registry message', async () => {
    // Prepare
    const template = {
      Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: 'vpc-1' } } },
    };

    // Act
    const stack = await createAndWait(cfn, 'missing-required', template);

    // Assess
    const failed = (await allEvents(cfn, 'missing-required')).find(
      (event) => event.ResourceStatus === 'CREATE_FAILED',
    );
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(failed?.ResourceStatusReason).toBe(
      'Properties validation failed for resource Sg with message: #: required key [GroupDescription] not found',
    );
  });

  test('nested property types are validated too', async () => {
    // Prepare
    const template = {
      Resources: {
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            ContainerDefinitions: [
              {
                Name: 'app',
                PortMappings: [{ ContainerPort: 'eighty' }],
                Environment: [{ Name: 'A', Valeu: '1' }],
              },
            ],
          },
        },
      },
    };

    // Act
    await createAndWait(cfn, 'nested', template);

    // Assess
    const failed = (await allEvents(cfn, 'nested')).find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toBe(
      'Properties validation failed for resource Task with message: [' +
        '#/ContainerDefinitions/0: required key [Image] not found, ' +
        '#/ContainerDefinitions/0/PortMappings/0/ContainerPort: expected type: Integer, found: String, ' +
        '#/ContainerDefinitions/0/Environment/0: extraneous key [Valeu] is not permitted]',
    );
  });

  test('resources created before the failure are deleted by the rollback, newest first', async () => {
    // Prepare
    const template = {
      Resources: {
        First: { Type: 'AWS::S3::Bucket' },
        Second: { Type: 'AWS::S3::Bucket', DependsOn: 'First' },
        Broken: { Type: 'AWS::S3::Bucket', DependsOn: 'Second', Properties: { Nope: 1 } },
      },
    };

    // Act
    await createAndWait(cfn, 'partial', template);

    // Assess
    const deletions = (await allEvents(cfn, 'partial'))
      .filter((event) => event.ResourceStatus === 'DELETE_COMPLETE')
      .map((event) => event.LogicalResourceId);
    expect(deletions).toEqual(['Broken', 'Second', 'First']);
  });
});

describe('failure rules', () => {
  test('fail the named resource with the given reason', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'rule-*', logicalId: 'Bucket', reason: 'Bucket quota exceeded' });

    // Act
    const stack = await createAndWait(cfn, 'rule-create', bucketTemplate());

    // Assess
    const failed = (await allEvents(cfn, 'rule-create')).find(
      (event) => event.ResourceStatus === 'CREATE_FAILED',
    );
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(failed?.ResourceStatusReason).toBe('Bucket quota exceeded');
  });

  test('without a logical id, fail the first resource with the default reason', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'rule-default' });

    // Act
    await createAndWait(cfn, 'rule-default', bucketTemplate());

    // Assess
    const failed = (await allEvents(cfn, 'rule-default')).find(
      (event) => event.ResourceStatus === 'CREATE_FAILED',
    );
    expect(failed?.ResourceStatusReason).toBe('Simulated failure requested for Bucket');
  });

  test('a once rule fires a single time, and rules leave other stacks alone', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'rule-once-*', once: true });

    // Act
    const first = await createAndWait(cfn, 'rule-once-1', bucketTemplate());
    const second = await createAndWait(cfn, 'rule-once-2', bucketTemplate());
    const unrelated = await createAndWait(cfn, 'other', bucketTemplate());

    // Assess
    expect([first.StackStatus, second.StackStatus, unrelated.StackStatus]).toEqual([
      'ROLLBACK_COMPLETE',
      'CREATE_COMPLETE',
      'CREATE_COMPLETE',
    ]);
  });

  test('OnFailure DO_NOTHING leaves the stack in CREATE_FAILED', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'keep-failed' });

    // Act
    const stack = await createAndWait(cfn, 'keep-failed', bucketTemplate(), { OnFailure: 'DO_NOTHING' });

    // Assess
    expect(stack.StackStatus).toBe('CREATE_FAILED');
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to create: [Bucket]. ');
  });

  test('OnFailure DELETE deletes the stack after the failure', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'delete-on-failure' });
    const created = await cfn.createStack(
      { StackName: 'delete-on-failure', TemplateBody: JSON.stringify(bucketTemplate()), OnFailure: 'DELETE' },
      REGION,
    );

    // Act
    await cfn.whenIdle();

    // Assess
    const { Stacks } = await cfn.describeStacks({ StackName: created.StackId }, REGION);
    expect(Stacks?.[0]?.StackStatus).toBe('DELETE_COMPLETE');
  });
});

describe('intrinsic functions and outputs', () => {
  test('resolve to the values CloudFormation would compute', async () => {
    // Prepare
    const template = {
      Parameters: {
        Env: { Type: 'String', AllowedValues: ['dev', 'prod'] },
        Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
        Secret: { Type: 'String', NoEcho: true, Default: 'hunter2' },
      },
      Mappings: { Sizes: { dev: { Cpu: '256' }, prod: { Cpu: '1024' } } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Both: {
          'Fn::And': [
            { Condition: 'IsDev' },
            { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
          ],
        },
      },
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        ProdOnly: { Type: 'AWS::S3::Bucket', Condition: 'IsProd' },
      },
      Outputs: {
        Sub: {
          Value: { 'Fn::Sub': ['${Env}/${AWS::Region}/${Vpc.CidrBlock}/${!Literal}/${Name}', { Name: 'n' }] },
        },
        Join: { Value: { 'Fn::Join': ['-', [{ Ref: 'Env' }, { 'Fn::Select': [1, { Ref: 'Zones' }] }]] } },
        Zone: { Value: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] } },
        Split: { Value: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'x/y/z'] }] } },
        Base64: { Value: { 'Fn::Base64': 'hello' } },
        Cidr: { Value: { 'Fn::Join': [',', { 'Fn::Cidr': ['10.0.0.0/16', 3, 8] }] } },
        If: { Value: { 'Fn::If': ['IsProd', 'big', 'small'] } },
        Both: { Value: { 'Fn::If': ['Both', 'yes', 'no'] } },
        Mapped: { Value: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Cpu'] } },
        Imported: { Value: { 'Fn::ImportValue': 'nobody-exports-this' } },
        ProdBucket: { Value: { Ref: 'ProdOnly' }, Condition: 'IsProd' },
        Exported: { Value: { Ref: 'Vpc' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-vpc' } } },
      },
    };

    // Act
    const stack = await createAndWait(cfn, 'intrinsics', template, {
      Parameters: [{ ParameterKey: 'Env', ParameterValue: 'dev' }],
    });

    // Assess
    const outputs = outputsOf(stack);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputs).toEqual({
      Sub: 'dev/eu-west-1/10.0.0.0/16/${Literal}/n',
      Join: 'dev-b',
      Zone: 'eu-west-1c',
      Split: 'y',
      Base64: 'aGVsbG8=',
      Cidr: '10.0.0.0/24,10.0.1.0/24,10.0.2.0/24',
      If: 'small',
      Both: 'yes',
      Mapped: '256',
      Imported: expect.stringContaining('nobody-exports-this'),
      Exported: expect.stringMatching(/^vpc-[0-9a-f]{17}$/),
    });
    expect(stack.Outputs?.find((output) => output.OutputKey === 'Exported')?.ExportName).toBe(
      'intrinsics-vpc',
    );
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'Secret', ParameterValue: '****' });
  });

  test('Fn::ImportValue reads the export of another stack in the region', async () => {
    // Prepare
    const exporter = bucketTemplate(
      {},
      { Name: { Value: { Ref: 'Bucket' }, Export: { Name: 'shared-bucket' } } },
    );
    const exported = outputsOf(await createAndWait(cfn, 'exporter', exporter)).Name;
    const importer = bucketTemplate({}, { Imported: { Value: { 'Fn::ImportValue': 'shared-bucket' } } });

    // Act
    const stack = await createAndWait(cfn, 'importer', importer);

    // Assess
    expect(outputsOf(stack).Imported).toBe(exported);
  });
});

describe('simulated physical ids and attributes', () => {
  test('look like the real ones for the resources the backend reads', async () => {
    // Prepare
    const template = {
      Resources: {
        Postgres: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro' },
        },
        Mysql: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { Engine: 'mysql', DBInstanceIdentifier: 'My-Db' },
        },
        Replica: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { SourceDBInstanceIdentifier: { 'Fn::GetAtt': ['Mysql', 'DBInstanceArn'] } },
        },
        Redis: {
          Type: 'AWS::ElastiCache::CacheCluster',
          Properties: { CacheNodeType: 'cache.t4g.micro', Engine: 'redis', NumCacheNodes: 1 },
        },
        Group: {
          Type: 'AWS::ElastiCache::ReplicationGroup',
          Properties: { ReplicationGroupDescription: 'g' },
        },
        Host: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-0123456789abcdef0' } },
        Key: { Type: 'AWS::EC2::KeyPair', Properties: { KeyName: 'bastion' } },
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db/credentials' } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
        Logs: { Type: 'AWS::Logs::LogGroup' },
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'sg' } },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
      Outputs: Object.fromEntries(
        [
          ['PgAddress', 'Postgres', 'Endpoint.Address'],
          ['PgPort', 'Postgres', 'Endpoint.Port'],
          ['MysqlPort', 'Mysql', 'Endpoint.Port'],
          ['ReplicaPort', 'Replica', 'Endpoint.Port'],
          ['RedisAddress', 'Redis', 'RedisEndpoint.Address'],
          ['RedisPort', 'Redis', 'RedisEndpoint.Port'],
          ['GroupAddress', 'Group', 'PrimaryEndPoint.Address'],
          ['GroupPort', 'Group', 'PrimaryEndPoint.Port'],
          ['HostDns', 'Host', 'PublicDnsName'],
          ['HostIp', 'Host', 'PublicIp'],
          ['KeyId', 'Key', 'KeyPairId'],
          ['RoleArn', 'Role', 'Arn'],
          ['LogsArn', 'Logs', 'Arn'],
          ['GroupId', 'Sg', 'GroupId'],
          ['QueueArn', 'Queue', 'Arn'],
        ].map(([key, resource, attribute]) => [key, { Value: { 'Fn::GetAtt': [resource, attribute] } }]),
      ),
    };
    for (const id of ['Mysql', 'Key', 'Secret', 'Role', 'Logs', 'Host']) {
      (template.Outputs as Record<string, unknown>)[`${id}Ref`] = { Value: { Ref: id } };
    }

    // Act
    const stack = await createAndWait(cfn, 'attributes', template, { Capabilities: ['CAPABILITY_IAM'] });

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputsOf(stack)).toEqual({
      PgAddress: expect.stringMatching(
        /^attributes-postgres-[a-z0-9]{12}\.[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com$/,
      ),
      PgPort: '5432',
      MysqlPort: '3306',
      ReplicaPort: '3306',
      MysqlRef: 'my-db',
      RedisAddress: expect.stringMatching(/\.0001\.euw1\.cache\.amazonaws\.com$/),
      RedisPort: '6379',
      GroupAddress: expect.stringMatching(
        /^attributes-group-[a-z0-9]{12}\.[a-z0-9]{6}\.ng\.0001\.euw1\.cache\.amazonaws\.com$/,
      ),
      GroupPort: '6379',
      HostRef: expect.stringMatching(/^i-[0-9a-f]{17}$/),
      HostDns: expect.stringMatching(/^ec2-3-\d+-\d+-\d+\.eu-west-1\.compute\.amazonaws\.com$/),
      HostIp: expect.stringMatching(/^3\.\d+\.\d+\.\d+$/),
      KeyRef: 'bastion',
      KeyId: expect.stringMatching(/^key-[0-9a-f]{17}$/),
      SecretRef: expect.stringMatching(
        /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\/credentials-[A-Za-z0-9]{6}$/,
      ),
      RoleRef: expect.stringMatching(/^attributes-Role-[A-Z0-9]{12}$/),
      RoleArn: expect.stringMatching(/^arn:aws:iam::123456789012:role\/attributes-Role-[A-Z0-9]{12}$/),
      LogsRef: expect.stringMatching(/^attributes-Logs-[A-Z0-9]{12}$/),
      LogsArn: expect.stringMatching(
        /^arn:aws:logs:eu-west-1:123456789012:log-group:attributes-Logs-[A-Z0-9]{12}:\*$/,
      ),
      GroupId: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
      QueueArn: expect.stringMatching(/^arn:aws:sqs:eu-west-1:123456789012:attributes-Queue-[A-Z0-9]{12}$/),
    });
  });

  test('every attribute the specification lists resolves, even for types without a dedicated simulation', async () => {
    // Prepare
    const template = {
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic' },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [] } },
      },
      Outputs: {
        TopicName: { Value: { 'Fn::GetAtt': ['Topic', 'TopicName'] } },
        TopicArn: { Value: { 'Fn::GetAtt': ['Topic', 'TopicArn'] } },
        StreamArn: { Value: { 'Fn::GetAtt': ['Table', 'StreamArn'] } },
      },
    };

    // Act
    const stack = await createAndWait(cfn, 'generic', template);

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputsOf(stack)).toEqual({
      TopicName: expect.any(String),
      TopicArn: expect.stringMatching(/^arn:aws:sns:eu-west-1:123456789012:/),
      StreamArn: expect.stringMatching(/^arn:aws:dynamodb:eu-west-1:123456789012:/),
    });
  });
});
