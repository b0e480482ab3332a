import {
  AlreadyExistsException,
  ChangeSetNotFoundException,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  InvalidChangeSetStatusException,
} from '@aws-sdk/client-cloudformation';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudError } from '../../../src/cloud/errors';
import { freshClock, grantCredentials, serviceError, sts } from './sts-fakes';

const { stacks } = await import('../../../src/cloud/aws/stacks');

/** The AWS StackPort's change set calls: what goes to CloudFormation, and how its answers come back. */

const cfn = mockClient(CloudFormationClient);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const STACK = 'tinystacks-stk-prod';
const CHANGE_SET_ID = 'arn:aws:cloudformation:eu-west-1:444455556666:changeSet/approval-op-2/1a2b';
const request = {
  stackName: STACK,
  changeSetName: 'approval-op-2',
  templateUrl: 'https://tinystacks-templates-444455556666-eu-west-1.s3.eu-west-1.amazonaws.com/x/op-2.json',
  parameters: { Size: 'large' },
  tags: { 'tinystacks:stage': 'prod' },
  capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
  clientToken: 'op-2-change-set',
};

const exception = <T>(
  Exception: new (options: { $metadata: object; message: string }) => T,
  message: string,
) => new Exception({ $metadata: {}, message });

beforeEach(() => {
  sts.reset();
  cfn.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

describe('createChangeSet', () => {
  test('plans an UPDATE from the template’s URL, with parameters, tags, capabilities and the client token', async () => {
    // Prepare
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: 'arn:stack/1' });

    // Act
    const created = await stacks.createChangeSet(target, request);

    // Assess
    expect(created).toEqual({ changeSetId: CHANGE_SET_ID, stackId: 'arn:stack/1' });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toEqual({
      StackName: STACK,
      ChangeSetName: 'approval-op-2',
      ChangeSetType: 'UPDATE',
      TemplateURL: request.templateUrl,
      Parameters: [{ ParameterKey: 'Size', ParameterValue: 'large' }],
      Tags: [{ Key: 'tinystacks:stage', Value: 'prod' }],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      ClientToken: 'op-2-change-set',
    });
  });

  test('a name taken by another request is ChangeSetExists; a refused template keeps its ValidationError', async () => {
    // Prepare
    const refused = serviceError('ValidationError');
    cfn
      .on(CreateChangeSetCommand)
      .rejectsOnce(exception(AlreadyExistsException, 'ChangeSet approval-op-2 cannot be created'))
      .rejectsOnce(refused);

    // Act
    const taken = stacks.createChangeSet(target, request);
    await taken.catch(() => undefined);
    const invalid = stacks.createChangeSet(target, request);

    // Assess
    await expect(taken).rejects.toEqual(
      new CloudError(
        'ChangeSetExists',
        `change set approval-op-2 of stack ${STACK} already exists for another request`,
      ),
    );
    await expect(invalid).rejects.toBe(refused);
  });

  test('throttling is Throttled, which the workflows retry', async () => {
    // Prepare
    cfn.on(CreateChangeSetCommand).rejects(serviceError('Throttling'));

    // Act
    const creating = stacks.createChangeSet(target, request);

    // Assess
    await expect(creating).rejects.toEqual(
      new CloudError('Throttled', `CloudFormation throttled a call on ${STACK}`),
    );
  });
});

describe('describeChangeSet', () => {
  test('reads every page of changes, in the port’s terms', async () => {
    // Prepare
    const page = {
      ChangeSetId: CHANGE_SET_ID,
      Status: 'CREATE_COMPLETE' as const,
      ExecutionStatus: 'AVAILABLE' as const,
    };
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({
        ...page,
        NextToken: 'page-2',
        Changes: [
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'TaskDefinition',
              PhysicalResourceId: 'arn:aws:ecs:eu-west-1:444455556666:task-definition/shop:7',
              ResourceType: 'AWS::ECS::TaskDefinition',
              Replacement: 'True',
              Scope: ['Properties'],
              Details: [
                {
                  Target: {
                    Attribute: 'Properties',
                    Name: 'ContainerDefinitions',
                    RequiresRecreation: 'Always',
                  },
                  Evaluation: 'Static',
                  ChangeSource: 'DirectModification',
                },
              ],
            },
          },
        ],
      })
      .resolvesOnce({
        ...page,
        Changes: [
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Add',
              LogicalResourceId: 'Alarm',
              ResourceType: 'AWS::CloudWatch::Alarm',
            },
          },
          // An action newer than the port: one CloudFormation decides during the update.
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'SyncWithActual',
              LogicalResourceId: 'Queue',
              ResourceType: 'AWS::SQS::Queue',
            },
          },
        ],
      });

    // Act
    const changeSet = await stacks.describeChangeSet(target, STACK, 'approval-op-2');

    // Assess
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: STACK, ChangeSetName: 'approval-op-2', NextToken: undefined },
      { StackName: STACK, ChangeSetName: 'approval-op-2', NextToken: 'page-2' },
    ]);
    expect(changeSet).toEqual({
      changeSetId: CHANGE_SET_ID,
      status: 'CREATE_COMPLETE',
      executionStatus: 'AVAILABLE',
      noChanges: false,
      changes: [
        {
          logicalId: 'TaskDefinition',
          physicalId: 'arn:aws:ecs:eu-west-1:444455556666:task-definition/shop:7',
          type: 'AWS::ECS::TaskDefinition',
          action: 'Modify',
          replacement: 'True',
          scope: ['Properties'],
          details: [
            {
              attribute: 'Properties',
              name: 'ContainerDefinitions',
              requiresRecreation: 'Always',
              evaluation: 'Static',
              changeSource: 'DirectModification',
            },
          ],
        },
        { logicalId: 'Alarm', type: 'AWS::CloudWatch::Alarm', action: 'Add', replacement: null, scope: [] },
        { logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Dynamic', replacement: null, scope: [] },
      ],
    });
  });

  test.each([
    [
      "The submitted information didn't contain changes. Submit different information to create a change set.",
      true,
    ],
    ['No updates are to be performed.', true],
    ['Template error: instance of Fn::GetAtt references undefined resource Nope', false],
  ])('FAILED because “%s”: noChanges is %s', async (reason, noChanges) => {
    // Prepare
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: CHANGE_SET_ID,
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason: reason,
      Changes: [],
    });

    // Act
    const changeSet = await stacks.describeChangeSet(target, STACK, 'approval-op-2');

    // Assess
    expect(changeSet).toMatchObject({ status: 'FAILED', statusReason: reason, noChanges, changes: [] });
  });

  test('a reason alone does not make noChanges: only with the FAILED status', async () => {
    // Prepare
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: CHANGE_SET_ID,
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      StatusReason: "The submitted information didn't contain changes.",
    });

    // Act
    const changeSet = await stacks.describeChangeSet(target, STACK, 'approval-op-2');

    // Assess
    expect(changeSet.noChanges).toBe(false);
  });

  test.each([
    ['ChangeSetNotFound', exception(ChangeSetNotFoundException, 'ChangeSet [approval-op-2] does not exist')],
    ['a stack that does not exist (ValidationError)', serviceError('ValidationError')],
  ])('%s is ChangeSetGone', async (_case, error) => {
    // Prepare
    cfn.on(DescribeChangeSetCommand).rejects(error);

    // Act
    const describing = stacks.describeChangeSet(target, STACK, 'approval-op-2');

    // Assess
    await expect(describing).rejects.toEqual(
      new CloudError('ChangeSetGone', `change set approval-op-2 of stack ${STACK} does not exist`),
    );
  });
});

describe('executeChangeSet and deleteChangeSet', () => {
  test('execute passes the stack, the change set and the request token', async () => {
    // Prepare
    cfn.on(ExecuteChangeSetCommand).resolves({});

    // Act
    await stacks.executeChangeSet(target, STACK, 'approval-op-2', 'op-2-execute');

    // Assess
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).toEqual({
      StackName: STACK,
      ChangeSetName: 'approval-op-2',
      ClientRequestToken: 'op-2-execute',
    });
  });

  test('a change set that cannot run (OBSOLETE, FAILED, executed) is ChangeSetNotExecutable, saying why', async () => {
    // Prepare
    const why = `ChangeSet [${CHANGE_SET_ID}] cannot be executed in its current execution status of [OBSOLETE]`;
    cfn.on(ExecuteChangeSetCommand).rejects(exception(InvalidChangeSetStatusException, why));

    // Act
    const executing = stacks.executeChangeSet(target, STACK, 'approval-op-2', 'op-2-execute');

    // Assess
    await expect(executing).rejects.toEqual(
      new CloudError('ChangeSetNotExecutable', `change set approval-op-2 of stack ${STACK}: ${why}`),
    );
  });

  test('delete passes the names; a change set or stack already gone is deleted', async () => {
    // Prepare
    cfn
      .on(DeleteChangeSetCommand)
      .resolvesOnce({})
      .rejectsOnce(exception(ChangeSetNotFoundException, 'ChangeSet [approval-op-2] does not exist'))
      .rejectsOnce(serviceError('ValidationError'));

    // Act
    const results = [
      await stacks.deleteChangeSet(target, STACK, 'approval-op-2'),
      await stacks.deleteChangeSet(target, STACK, 'approval-op-2'),
      await stacks.deleteChangeSet(target, STACK, 'approval-op-2'),
    ];

    // Assess
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input).toEqual({
      StackName: STACK,
      ChangeSetName: 'approval-op-2',
    });
  });

  test('deleting one that is being executed is ChangeSetNotExecutable', async () => {
    // Prepare
    cfn
      .on(DeleteChangeSetCommand)
      .rejects(
        exception(
          InvalidChangeSetStatusException,
          'An operation on this ChangeSet is currently in progress.',
        ),
      );

    // Act
    const deleting = stacks.deleteChangeSet(target, STACK, 'approval-op-2');

    // Assess
    await expect(deleting).rejects.toHaveProperty('name', 'ChangeSetNotExecutable');
  });
});
