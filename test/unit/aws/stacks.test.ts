import {
  AlreadyExistsException,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudError } from '../../../src/cloud/errors';
import {
  assumedRoles,
  assumeRoleSigners,
  freshClock,
  FUNCTION_ACCESS_KEY_ID,
  grantCredentials,
  PLATFORM_PRINCIPAL_ARN,
  refuseRole,
  serviceError,
  sts,
} from './sts-fakes';

const { stacks } = await import('../../../src/cloud/aws/stacks');
const { BoundedCache } = await import('../../../src/cloud/aws/assume-role');

const cfn = mockClient(CloudFormationClient);
const TEMPLATE_URL =
  'https://tinystacks-templates-444455556666-eu-west-1.s3.eu-west-1.amazonaws.com/tinystacks-stk-dev/op-1-create.json';
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const request = {
  stackName: 'tinystacks-stk-dev',
  templateUrl: TEMPLATE_URL,
  tags: { 'tinystacks:stack-id': 'stk_1', 'tinystacks:stage': 'dev' },
  clientRequestToken: 'op-1-create',
};
let clock: ReturnType<typeof freshClock>;

beforeEach(() => {
  sts.reset();
  cfn.reset();
  clock = freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

describe('customer credentials', () => {
  test('chain through the platform principal into the customer’s role with the external id', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });

    // Act
    await stacks.describe(target, request.stackName);

    // Assess
    expect(assumedRoles()).toEqual([
      {
        RoleArn: PLATFORM_PRINCIPAL_ARN,
        ExternalId: undefined,
        RoleSessionName: 'tinystacks',
        DurationSeconds: 900,
      },
      { RoleArn: target.roleArn, ExternalId: 'ext-1', RoleSessionName: 'tinystacks', DurationSeconds: 900 },
    ]);
    // The customer's role is assumed as the platform principal, and CloudFormation called as the customer's role.
    expect(await assumeRoleSigners()).toEqual([
      FUNCTION_ACCESS_KEY_ID,
      `AKIA-${PLATFORM_PRINCIPAL_ARN.split('/').pop()}`,
    ]);
    const cfnClient = cfn.commandCalls(DescribeStacksCommand)[0]!.thisValue as CloudFormationClient;
    expect((await cfnClient.config.credentials()).accessKeyId).toBe('AKIA-tinystacks');
  });

  test('are reused until a minute before they expire', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await stacks.describe(target, request.stackName);

    // Act
    clock.advance(839_000);
    await stacks.describe(target, request.stackName);
    const afterReuse = assumedRoles().length;
    clock.advance(2_000);
    await stacks.describe(target, request.stackName);

    // Assess
    expect(afterReuse).toBe(2);
    expect(assumedRoles().map((r) => r.RoleArn)).toEqual([
      PLATFORM_PRINCIPAL_ARN,
      target.roleArn,
      PLATFORM_PRINCIPAL_ARN,
      target.roleArn,
    ]);
  });

  test('are kept per role and external id', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await stacks.describe(target, request.stackName);

    // Act
    await stacks.describe({ ...target, externalId: 'ext-2' }, request.stackName);
    await stacks.describe({ ...target, region: 'us-west-2' }, request.stackName);

    // Assess
    expect(
      assumedRoles()
        .filter((r) => r.RoleArn === target.roleArn)
        .map((r) => r.ExternalId),
    ).toEqual(['ext-1', 'ext-2']);
  });

  test('one CloudFormation client per role and region, reused across calls', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });

    // Act
    await stacks.describe(target, request.stackName);
    await stacks.describe(target, request.stackName);
    await stacks.describe({ ...target, region: 'us-west-2' }, request.stackName);

    // Assess
    const [first, second, third] = cfn.send.thisValues as CloudFormationClient[];
    expect(first).toBe(second);
    expect(third).not.toBe(first);
    expect([await first!.config.region(), await third!.config.region()]).toEqual(['eu-west-1', 'us-west-2']);
  });

  test('a role that refuses us is AccessDenied, naming the role and what to check', async () => {
    // Prepare
    refuseRole(target.roleArn, serviceError('AccessDenied'));

    // Act
    const describing = stacks.describe(target, request.stackName);

    // Assess
    await expect(describing).rejects.toEqual(
      new CloudError(
        'AccessDenied',
        `cannot assume ${target.roleArn}: check its trust policy and external id`,
      ),
    );
    await expect(describing).rejects.toHaveProperty('name', 'AccessDenied');
    expect(cfn.calls()).toHaveLength(0);
  });

  test('the platform principal refusing us is the platform’s problem: it propagates as it is', async () => {
    // Prepare
    const denied = serviceError('AccessDenied');
    refuseRole(PLATFORM_PRINCIPAL_ARN, denied);

    // Act
    const describing = stacks.describe(target, request.stackName);

    // Assess
    await expect(describing).rejects.toBe(denied);
  });

  test('STS throttling is Throttled, which the workflows retry', async () => {
    // Prepare
    refuseRole(target.roleArn, serviceError('Throttling'));

    // Act
    const describing = stacks.describe(target, request.stackName);

    // Assess
    await expect(describing).rejects.toHaveProperty('name', 'Throttled');
  });

  test('a missing PLATFORM_PRINCIPAL_ARN fails at load, naming it', async () => {
    // Prepare
    const saved = process.env.PLATFORM_PRINCIPAL_ARN;
    delete process.env.PLATFORM_PRINCIPAL_ARN;

    // Act
    const loading = jest.isolateModulesAsync(async () => {
      await import('../../../src/cloud/aws/assume-role');
    });

    // Assess
    await expect(loading).rejects.toThrow('Missing environment variable PLATFORM_PRINCIPAL_ARN');
    process.env.PLATFORM_PRINCIPAL_ARN = saved;
  });

  test('the client cache forgets its oldest entry when full', () => {
    // Prepare
    const cache = new BoundedCache<number>(2);

    // Act
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
  });
});

describe('calls', () => {
  test('create sends the template’s URL, tags, capabilities, token and rollback on failure', async () => {
    // Prepare
    cfn
      .on(CreateStackCommand)
      .resolves({ StackId: 'arn:aws:cloudformation:eu-west-1:444455556666:stack/x/1' });

    // Act
    const created = await stacks.create(target, request);

    // Assess
    expect(created).toEqual({ stackId: 'arn:aws:cloudformation:eu-west-1:444455556666:stack/x/1' });
    expect(cfn.commandCalls(CreateStackCommand)[0]!.args[0].input).toEqual({
      StackName: 'tinystacks-stk-dev',
      TemplateURL: TEMPLATE_URL,
      Tags: [
        { Key: 'tinystacks:stack-id', Value: 'stk_1' },
        { Key: 'tinystacks:stage', Value: 'dev' },
      ],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      ClientRequestToken: 'op-1-create',
      OnFailure: 'ROLLBACK',
    });
  });

  test('create of an existing stack is StackExists', async () => {
    // Prepare
    cfn.on(CreateStackCommand).rejects(new AlreadyExistsException({ $metadata: {}, message: 'exists' }));

    // Act
    const creating = stacks.create(target, request);

    // Assess
    await expect(creating).rejects.toEqual(
      new CloudError('StackExists', 'stack tinystacks-stk-dev already exists'),
    );
    await expect(creating).rejects.toHaveProperty('name', 'StackExists');
  });

  test.each(['Throttling', 'ThrottlingException'])('CloudFormation %s is Throttled', async (name) => {
    // Prepare
    cfn.on(UpdateStackCommand).rejects(serviceError(name));

    // Act
    const updating = stacks.update(target, request);

    // Assess
    await expect(updating).rejects.toBeInstanceOf(CloudError);
    await expect(updating).rejects.toHaveProperty('name', 'Throttled');
  });

  test('update sends the same template fields, the template by URL, without OnFailure', async () => {
    // Prepare
    cfn.on(UpdateStackCommand).resolves({ StackId: 'id' });

    // Act
    await stacks.update(target, request);

    // Assess
    const input = cfn.commandCalls(UpdateStackCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      StackName: 'tinystacks-stk-dev',
      TemplateURL: TEMPLATE_URL,
      ClientRequestToken: 'op-1-create',
    });
    expect(input).not.toHaveProperty('TemplateBody');
    expect(input.Capabilities).toEqual(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']);
    expect(input).not.toHaveProperty('OnFailure');
  });

  test('delete and continueUpdateRollback pass the stack name and token', async () => {
    // Prepare
    cfn.on(DeleteStackCommand).resolves({});
    cfn.on(ContinueUpdateRollbackCommand).resolves({});

    // Act
    await stacks.delete(target, 'tinystacks-stk-dev', 'op-1-delete');
    await stacks.continueUpdateRollback(target, 'tinystacks-stk-dev', 'op-1-continue-rollback');

    // Assess
    expect(cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toEqual({
      StackName: 'tinystacks-stk-dev',
      ClientRequestToken: 'op-1-delete',
    });
    expect(cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input).toEqual({
      StackName: 'tinystacks-stk-dev',
      ClientRequestToken: 'op-1-continue-rollback',
    });
  });

  test('other CloudFormation errors keep their own name, AccessDenied included', async () => {
    // Prepare
    const denied = serviceError('AccessDenied');
    cfn.on(DeleteStackCommand).rejects(denied);

    // Act
    const deleting = stacks.delete(target, 'tinystacks-stk-dev', 'op-1-delete');

    // Assess
    await expect(deleting).rejects.toBe(denied);
  });
});

describe('describe', () => {
  test('returns the status, reason and outputs', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackId: 'arn:stack/1',
          StackName: 'tinystacks-stk-dev',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'ServiceUrl', OutputValue: 'http://x' },
            { OutputKey: 'AppLogGroupName', OutputValue: '/tinystacks/app' },
          ],
        },
      ],
    });

    // Act
    const description = await stacks.describe(target, 'tinystacks-stk-dev');

    // Assess
    expect(description).toEqual({
      stackId: 'arn:stack/1',
      status: 'CREATE_COMPLETE',
      reason: '',
      outputs: { ServiceUrl: 'http://x', AppLogGroupName: '/tinystacks/app' },
    });
  });

  test('a stack that does not exist (ValidationError) is undefined', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(serviceError('ValidationError'));

    // Act
    const description = await stacks.describe(target, 'tinystacks-gone');

    // Assess
    expect(description).toBeUndefined();
  });

  test('throttling is still Throttled', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(serviceError('Throttling'));

    // Act
    const describing = stacks.describe(target, 'tinystacks-stk-dev');

    // Assess
    await expect(describing).rejects.toHaveProperty('name', 'Throttled');
  });
});

describe('listEvents', () => {
  test('maps the events, newest first as CloudFormation returns them, with the next token', async () => {
    // Prepare
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          StackId: 'arn:stack/1',
          EventId: '2',
          StackName: 'tinystacks-stk-dev',
          LogicalResourceId: 'Service',
          ResourceType: 'AWS::ECS::Service',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'no capacity',
          Timestamp: new Date('2030-01-01T00:00:02Z'),
        },
        {
          StackId: 'arn:stack/1',
          EventId: '1',
          StackName: 'tinystacks-stk-dev',
          LogicalResourceId: 'tinystacks-stk-dev',
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: 'CREATE_IN_PROGRESS',
          Timestamp: new Date('2030-01-01T00:00:01Z'),
        },
      ],
      NextToken: 'more',
    });

    // Act
    const page = await stacks.listEvents(target, 'tinystacks-stk-dev', 'previous');

    // Assess
    expect(cfn.commandCalls(DescribeStackEventsCommand)[0]!.args[0].input).toEqual({
      StackName: 'tinystacks-stk-dev',
      NextToken: 'previous',
    });
    expect(page).toEqual({
      events: [
        {
          timestamp: '2030-01-01T00:00:02.000Z',
          stackName: 'tinystacks-stk-dev',
          logicalId: 'Service',
          resourceType: 'AWS::ECS::Service',
          status: 'CREATE_FAILED',
          reason: 'no capacity',
        },
        {
          timestamp: '2030-01-01T00:00:01.000Z',
          stackName: 'tinystacks-stk-dev',
          logicalId: 'tinystacks-stk-dev',
          resourceType: 'AWS::CloudFormation::Stack',
          status: 'CREATE_IN_PROGRESS',
        },
      ],
      nextToken: 'more',
    });
  });

  test('a stack that does not exist has no events', async () => {
    // Prepare
    cfn.on(DescribeStackEventsCommand).rejects(serviceError('ValidationError'));

    // Act
    const page = await stacks.listEvents(target, 'tinystacks-gone');

    // Assess
    expect(page).toEqual({ events: [] });
  });
});
