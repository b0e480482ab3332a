import { statementsOf } from '../../../src/deploy/permissions';
import type { IamRecord } from '../../../src/local/iam-recorder';
import { proveIam, unnoticedRemovals, withoutGrant, type Template } from '../../package/iam-proof';

/**
 * The IAM proof (test/package/iam-proof.ts) on a small template of its own: calls its roles allow,
 * calls they do not, grants that only a wildcard or a condition makes fit, trust between roles, and
 * what the customer's role allows in the customer's account.
 */
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/tinystacks-dev-Table-ABCDEF123456';
const PLATFORM_PRINCIPAL = 'arn:aws:iam::123456789012:role/tinystacks-dev-us-east-1-platform';
const CUSTOMER_ROLE = 'arn:aws:iam::444455556666:role/tinystacks';
const policy = (...Statement: unknown[]) => [
  { PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement } },
];
const fn = (name: string, Variables: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { FunctionName: `tinystacks-dev-${name}`, Environment: { Variables } },
});
const role = (...statements: unknown[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: { Policies: policy(...statements) },
});

function template(overrides: Record<string, unknown> = {}): Template {
  return {
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      ApiLambdaFunction: fn('api', {
        TABLE_NAME: { Ref: 'Table' },
        STATE_MACHINE_ARN_PREFIX: {
          'Fn::Sub':
            'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:tinystacks-dev-',
        },
      }),
      ApiRole: role(
        { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
        {
          Effect: 'Allow',
          Action: ['dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WAIT#*'] } },
        },
        {
          Effect: 'Allow',
          Action: ['states:StartExecution'],
          Resource: {
            'Fn::Sub': 'arn:aws:states:${AWS::Region}:${AWS::AccountId}:stateMachine:tinystacks-dev-*',
          },
        },
        { Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: PLATFORM_PRINCIPAL },
      ),
      CustomerTasksLambdaFunction: fn('customerTasks', {
        PLATFORM_PRINCIPAL_ARN: { 'Fn::GetAtt': ['PlatformPrincipalRole', 'Arn'] },
      }),
      CustomerTasksRole: role({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: PLATFORM_PRINCIPAL }),
      PlatformPrincipalRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'tinystacks-dev-us-east-1-platform',
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: [{ 'Fn::GetAtt': ['CustomerTasksRole', 'Arn'] }] },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          Policies: policy({
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Resource: 'arn:aws:iam::*:role/*',
          }),
        },
      },
      DeployStageStateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'tinystacks-dev-deployStage',
          RoleArn: { 'Fn::GetAtt': ['DeployStageStateMachineRole', 'Arn'] },
          DefinitionString: {
            'Fn::Sub': [
              JSON.stringify({
                States: {
                  MarkRunning: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::dynamodb:updateItem',
                    Parameters: { TableName: '${t}' },
                  },
                  ReadStage: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::dynamodb:getItem',
                    Parameters: { TableName: '${t}' },
                  },
                },
              }),
              { t: { Ref: 'Table' } },
            ],
          },
        },
      },
      DeployStageStateMachineRole: role({
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
      }),
      ...overrides,
    },
  } as Template;
}

const call = (record: Partial<IamRecord>): IamRecord => ({
  principal: 'unit:api',
  test: 'a test › its case',
  n: 1,
  ...record,
});
const dynamo = (action: string, leadingKey = 'T#acme') =>
  call({
    action: `dynamodb:${action}`,
    resource: 'arn:aws:dynamodb:${AWS_REGION}:${AWS_ACCOUNT_ID}:table/${TABLE_NAME}',
    context: { 'dynamodb:LeadingKeys': [leadingKey] },
  });

describe('calls against the caller’s role', () => {
  test('a call its role grants passes; one it does not fails, naming the unit, the call and the test', async () => {
    // Act
    const result = await proveIam(template(), [dynamo('GetItem'), dynamo('DeleteItem')]);

    // Assess
    expect(result.failures).toEqual([
      expect.stringMatching(
        /^not allowed: api: dynamodb:DeleteItem on arn:aws:dynamodb:us-east-1:123456789012:table\/tinystacks-dev-Table-ABCDEF123456 .*a test › its case/,
      ),
    ]);
    expect(result.requests.map((r) => [r.action, r.allowed])).toEqual([
      ['dynamodb:GetItem', true],
      ['dynamodb:DeleteItem', false],
    ]);
  });

  test('a grant on a wildcard resource allows the call', async () => {
    // Act
    const result = await proveIam(template(), [
      call({ action: 'states:StartExecution', resource: '${STATE_MACHINE_ARN_PREFIX}deployStage' }),
    ]);

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.requests[0]!.resource).toBe(
      'arn:aws:states:us-east-1:123456789012:stateMachine:tinystacks-dev-deployStage',
    );
  });

  test('a condition on the partition key allows the keys it names and no others', async () => {
    // Act
    const result = await proveIam(template(), [
      dynamo('UpdateItem', 'WAIT#us-east-1#s'),
      dynamo('UpdateItem', 'T#acme'),
    ]);

    // Assess
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toContain('dynamodb:UpdateItem');
    expect(result.failures[0]).toContain('"dynamodb:LeadingKeys":["T#acme"]');
  });

  test('a variable the function’s environment lacks fails: its adapter could not load', async () => {
    // Act
    const result = await proveIam(template(), [
      call({
        action: 'events:PutEvents',
        resource: 'arn:aws:events:${AWS_REGION}:${AWS_ACCOUNT_ID}:event-bus/${EVENT_BUS_NAME}',
      }),
    ]);

    // Assess
    expect(result.failures).toEqual([expect.stringContaining('no EVENT_BUS_NAME in its environment')]);
  });

  test('a grant no call used is listed, per caller', async () => {
    // Act
    const result = await proveIam(template(), [dynamo('GetItem')]);

    // Assess
    expect(result.unused.get('api')).toEqual([
      'dynamodb:UpdateItem on arn:aws:dynamodb:us-east-1:123456789012:table/tinystacks-dev-Table-ABCDEF123456',
      'states:StartExecution on arn:aws:states:us-east-1:123456789012:stateMachine:tinystacks-dev-*',
      `sts:AssumeRole on ${PLATFORM_PRINCIPAL}`,
    ]);
  });

  test('Step Functions’ SendTaskSuccess names no resource: only a grant on * allows it (the events unit’s role)', async () => {
    // Prepare: the role the workflows:resume permission gives
    const statements = statementsOf(
      ['workflows:resume'],
      ['arn:aws:states:us-east-1:123456789012:stateMachine:x'],
    );

    // Act
    const result = await proveIam(template({ EventsRole: role(...statements) }), [
      call({ principal: 'unit:events', action: 'states:SendTaskSuccess', resource: '*' }),
      call({ principal: 'unit:events', action: 'states:SendTaskFailure', resource: '*' }),
    ]);

    // Assess
    expect(result.failures).toEqual([]);
  });
});

describe('roles assumed', () => {
  const assume = (unit: string) =>
    call({ principal: `unit:${unit}`, action: 'sts:AssumeRole', resource: '${PLATFORM_PRINCIPAL_ARN}' });

  test('a unit the platform principal trusts may assume it; one it does not trust may not, whatever its own grant', async () => {
    // Prepare: the api unit's role grants itself the AssumeRole, and names the variable
    const withVariable = template({
      ApiLambdaFunction: fn('api', {
        PLATFORM_PRINCIPAL_ARN: { 'Fn::GetAtt': ['PlatformPrincipalRole', 'Arn'] },
      }),
    });

    // Act
    const result = await proveIam(withVariable, [assume('customerTasks'), assume('api')]);

    // Assess
    expect(result.failures).toEqual([
      expect.stringMatching(new RegExp(`^not trusted by ${PLATFORM_PRINCIPAL}: api: sts:AssumeRole`)),
    ]);
  });

  test('the customer’s role is assumed by the platform principal with the tenant’s external id', async () => {
    // Act
    const result = await proveIam(template(), [
      call({
        principal: 'platformPrincipal',
        via: 'customerTasks',
        action: 'sts:AssumeRole',
        resource: CUSTOMER_ROLE,
        context: { 'sts:ExternalId': 'ext-1' },
      }),
    ]);

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.requests[0]).toMatchObject({ account: '444455556666', allowed: true });
  });
});

describe('the customer’s role', () => {
  const inCustomerAccount = (action: string, resource: string) =>
    call({ principal: 'customerRole', via: 'customerTasks', account: '444455556666', action, resource });

  test('allows the platform’s calls on its stacks, and no direct call that only CloudFormation may make', async () => {
    // Act
    const result = await proveIam(template(), [
      inCustomerAccount(
        'cloudformation:CreateStack',
        'arn:aws:cloudformation:eu-west-1:444455556666:stack/tinystacks-stk-1-dev/00000000-0000-4000-8000-000000000000',
      ),
      inCustomerAccount(
        'cloudformation:DeleteStack',
        'arn:aws:cloudformation:eu-west-1:444455556666:stack/production-db/00000000-0000-4000-8000-000000000000',
      ),
      inCustomerAccount('ec2:CreateVpc', '*'),
    ]);

    // Assess
    expect(result.failures).toEqual([
      expect.stringContaining(
        'customer role (for customerTasks): cloudformation:DeleteStack on arn:aws:cloudformation:eu-west-1:444455556666:stack/production-db/',
      ),
      expect.stringContaining('customer role (for customerTasks): ec2:CreateVpc on *'),
    ]);
    expect(result.customerStatements.find((s) => s.sid === 'StageStacks')).toMatchObject({ calls: 1 });
  });
});

describe('state machines', () => {
  test('each Task is proved from the deployed definition: a DynamoDB read the role lacks fails', async () => {
    // Act
    const result = await proveIam(template(), [
      call({ principal: 'stateMachine:deployStage', state: 'MarkRunning', leadingKeys: ['T#acme'] }),
      call({ principal: 'stateMachine:deployStage', state: 'ReadStage', leadingKeys: ['T#acme'] }),
    ]);

    // Assess
    expect(result.failures).toEqual([
      expect.stringContaining(`deployStage (state machine): dynamodb:GetItem on ${TABLE}`),
    ]);
    expect(result.unused.get('deployStage (state machine)')).toEqual([`dynamodb:PutItem on ${TABLE}`]);
  });
});

describe('events forwarded from the customer’s account', () => {
  const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/tinystacks-dev';
  const busPolicy = (source: string, operator = 'ForAllValues:StringEquals') => ({
    Type: 'AWS::Events::EventBusPolicy',
    Properties: {
      EventBusName: { Ref: 'EventBus' },
      StatementId: `customer-${source}-events`,
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
        Condition: { [operator]: { 'events:source': source } },
      },
    },
  });
  const forwarded = (source: string, detailType: string) =>
    call({
      principal: 'forwardingRole',
      account: '444455556666',
      action: 'events:PutEvents',
      resource: '${EVENT_BUS_ARN}',
      context: { 'events:source': [source], 'events:detail-type': [detailType] },
    });

  test('crosses into the platform’s bus only where the bus’s policy admits its source, a multivalued key', async () => {
    // Prepare: CloudFormation's source admitted for every entry; CodePipeline's with a single-valued
    // operator, which never matches a multivalued key
    const withBus = template({
      EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'tinystacks-dev' } },
      EventBusPolicy: busPolicy('aws.cloudformation'),
      EventBusPolicyPipelines: busPolicy('aws.codepipeline', 'StringEquals'),
    });

    // Act
    const result = await proveIam(withBus, [
      forwarded('aws.cloudformation', 'CloudFormation Stack Status Change'),
      forwarded('aws.codepipeline', 'CodePipeline Pipeline Execution State Change'),
    ]);

    // Assess
    expect(result.requests.map((r) => [r.resource, r.context['events:source'], r.allowed])).toEqual([
      [BUS, ['aws.cloudformation'], true],
      [BUS, ['aws.codepipeline'], false],
    ]);
    expect(result.failures).toEqual([
      expect.stringMatching(
        /^not allowed: customer’s event forwarding role: events:PutEvents .*aws\.codepipeline/,
      ),
    ]);
  });
});

describe('the proof proved', () => {
  const records = [
    dynamo('GetItem'),
    dynamo('GetItem'),
    call({ action: 'states:StartExecution', resource: '${STATE_MACHINE_ARN_PREFIX}deployStage' }),
    call({ principal: 'stateMachine:deployStage', state: 'MarkRunning', leadingKeys: ['T#acme'] }),
    call({
      principal: 'customerRole',
      via: 'customerTasks',
      account: '444455556666',
      action: 'cloudformation:CreateStack',
      resource:
        'arn:aws:cloudformation:eu-west-1:444455556666:stack/tinystacks-stk-1-dev/00000000-0000-4000-8000-000000000000',
    }),
  ];

  test('a used grant taken out of a role fails the proof, for a unit, a state machine and the customer’s role', async () => {
    // Prepare
    const proof = await proveIam(template(), records);

    // Act
    const removals = await unnoticedRemovals(template(), records, proof);

    // Assess
    expect(proof.failures).toEqual([]);
    expect(removals).toEqual({ checked: 3, unnoticed: [] });
  });

  test('the grant is taken out of its statement only; the role’s other grants stay', async () => {
    // Act
    const without = withoutGrant(template(), 'stateMachine:deployStage', 'dynamodb:UpdateItem');
    const proof = await proveIam(without, records);

    // Assess
    expect(without.Resources.DeployStageStateMachineRole!.Properties!.Policies).toEqual(
      policy({ Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }),
    );
    expect(proof.failures).toEqual([
      expect.stringContaining(`not allowed: deployStage (state machine): dynamodb:UpdateItem on ${TABLE}`),
    ]);
  });
});
