import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change, ResourceChange } from '@aws-sdk/client-cloudformation';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import {
  allEvents,
  body,
  bucketTemplate,
  createAndWait,
  describe as describeStack,
  newCloudFormation,
  REGION,
  stackStatuses,
} from './helpers';

/**
 * Change sets on the simulated CloudFormation: the changes it plans from the deployed template and
 * the new one, as CloudFormation reports them, and their life: created, executed (as UpdateStack),
 * made obsolete by another update, deleted.
 */

const running: LocalCloudFormation[] = [];
afterEach(() => {
  for (const cfn of running.splice(0)) cfn.dispose();
});

function start() {
  const simulated = newCloudFormation();
  running.push(simulated.cfn);
  return simulated;
}

/** Creates the change set and waits until its creation has completed. */
async function plan(
  cfn: LocalCloudFormation,
  stackName: string,
  changeSetName: string,
  template: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const { Id } = await cfn.createChangeSet(
    { StackName: stackName, ChangeSetName: changeSetName, TemplateBody: body(template), ...extra },
    REGION,
  );
  await cfn.whenIdle();
  const described = await cfn.describeChangeSet({ ChangeSetName: Id }, REGION);
  return { id: Id!, ...described };
}

const resourceChanges = (changes: Change[] | undefined): ResourceChange[] =>
  (changes ?? []).map((change) => change.ResourceChange!);

const byLogicalId = (changes: Change[] | undefined) =>
  Object.fromEntries(resourceChanges(changes).map((change) => [change.LogicalResourceId!, change]));

const database = (properties: Record<string, unknown> = {}) => ({
  Resources: {
    Database: {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        DBInstanceIdentifier: 'shop-db',
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: '20',
        MasterUsername: 'app',
        MasterUserPassword: 'correct-horse-battery',
        Tags: [{ Key: 'team', Value: 'shop' }],
        ...properties,
      },
    },
    // Knows the database only through its attribute: changes when the database is replaced.
    Endpoint: {
      Type: 'AWS::SSM::Parameter',
      Properties: { Type: 'String', Value: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] } },
    },
    // A create-only property made from the database's name: replaced if the database is.
    Events: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${Database}-events' } } },
  },
});

describe('the changes planned', () => {
  test('add, modify and remove, by logical id, with physical ids for what exists', async () => {
    // Prepare
    const { cfn } = start();
    const before = {
      Resources: {
        Kept: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Suspended' } } },
        Gone: { Type: 'AWS::SQS::Queue' },
      },
    };
    const deployed = await createAndWait(cfn, 'shop', before);
    const after = {
      Resources: {
        Kept: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } },
        Added: { Type: 'AWS::SNS::Topic' },
      },
    };

    // Act
    const changeSet = await plan(cfn, 'shop', 'next', after);

    // Assess
    expect(deployed.StackStatus).toBe('CREATE_COMPLETE');
    expect(changeSet).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(resourceChanges(changeSet.Changes)).toEqual([
      {
        Action: 'Modify',
        LogicalResourceId: 'Kept',
        PhysicalResourceId: expect.any(String),
        ResourceType: 'AWS::S3::Bucket',
        Replacement: 'False',
        Scope: ['Properties'],
        Details: [
          {
            Target: { Attribute: 'Properties', Name: 'VersioningConfiguration', RequiresRecreation: 'Never' },
            Evaluation: 'Static',
            ChangeSource: 'DirectModification',
          },
        ],
      },
      { Action: 'Add', LogicalResourceId: 'Added', ResourceType: 'AWS::SNS::Topic', Scope: [], Details: [] },
      {
        Action: 'Remove',
        LogicalResourceId: 'Gone',
        PhysicalResourceId: expect.stringContaining('https://sqs.'),
        ResourceType: 'AWS::SQS::Queue',
        Scope: [],
        Details: [],
      },
    ]);
  });

  test('a create-only property (DBInstanceIdentifier) replaces the database: True, and what refers to it follows', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'db', database());

    // Act
    const changeSet = await plan(cfn, 'db', 'rename', database({ DBInstanceIdentifier: 'shop-db-2' }));

    // Assess
    const changes = byLogicalId(changeSet.Changes);
    expect(changes.Database).toMatchObject({
      Action: 'Modify',
      PhysicalResourceId: 'shop-db',
      Replacement: 'True',
      Details: [
        {
          Target: { Attribute: 'Properties', Name: 'DBInstanceIdentifier', RequiresRecreation: 'Always' },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        },
      ],
    });
    // An updatable property whose value is known only once the new database exists: not replaced.
    expect(changes.Endpoint).toMatchObject({
      Replacement: 'False',
      Details: [
        {
          Target: { Attribute: 'Properties', Name: 'Value', RequiresRecreation: 'Never' },
          Evaluation: 'Dynamic',
          ChangeSource: 'ResourceAttribute',
          CausingEntity: 'Database.Endpoint.Address',
        },
      ],
    });
    // A create-only property whose value is known only during the update: maybe replaced.
    expect(changes.Events).toMatchObject({
      Replacement: 'Conditional',
      Details: [
        {
          Target: { Attribute: 'Properties', Name: 'TopicName', RequiresRecreation: 'Always' },
          Evaluation: 'Dynamic',
          ChangeSource: 'ResourceReference',
          CausingEntity: 'Database',
        },
      ],
    });
  });

  test('an updatable property and the tags: modified in place (False), scopes Properties and Tags', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'db', database());

    // Act
    const changeSet = await plan(
      cfn,
      'db',
      'grow',
      database({ AllocatedStorage: '40', Tags: [{ Key: 'team', Value: 'checkout' }] }),
    );

    // Assess
    expect(resourceChanges(changeSet.Changes)).toEqual([
      expect.objectContaining({
        LogicalResourceId: 'Database',
        Replacement: 'False',
        Scope: ['Properties', 'Tags'],
        Details: [
          {
            Target: { Attribute: 'Properties', Name: 'AllocatedStorage', RequiresRecreation: 'Never' },
            Evaluation: 'Static',
            ChangeSource: 'DirectModification',
          },
          {
            Target: { Attribute: 'Tags', RequiresRecreation: 'Never' },
            Evaluation: 'Static',
            ChangeSource: 'DirectModification',
          },
        ],
      }),
    ]);
  });

  test('a property that may require replacement (the spec says maybe: Engine) is Conditional', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'db', database());

    // Act
    const changeSet = await plan(cfn, 'db', 'engine', database({ Engine: 'mysql' }));

    // Assess
    expect(byLogicalId(changeSet.Changes).Database).toMatchObject({
      Replacement: 'Conditional',
      Details: [
        expect.objectContaining({ Target: expect.objectContaining({ RequiresRecreation: 'Conditionally' }) }),
      ],
    });
  });

  test('a parameter with a new value: the change is the parameter reference, as CloudFormation shows it', async () => {
    // Prepare
    const { cfn } = start();
    const template = {
      Parameters: { Purpose: { Type: 'String' } },
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: { Tags: [{ Key: 'purpose', Value: { Ref: 'Purpose' } }] },
        },
      },
    };
    await createAndWait(cfn, 'params', template, {
      Parameters: [{ ParameterKey: 'Purpose', ParameterValue: 'testing' }],
    });

    // Act
    const changeSet = await plan(cfn, 'params', 'production', template, {
      Parameters: [{ ParameterKey: 'Purpose', ParameterValue: 'production' }],
    });

    // Assess
    expect(changeSet.Parameters).toEqual([{ ParameterKey: 'Purpose', ParameterValue: 'production' }]);
    expect(byLogicalId(changeSet.Changes).Bucket).toMatchObject({
      Replacement: 'False',
      Scope: ['Tags'],
      Details: [
        {
          Target: { Attribute: 'Tags', RequiresRecreation: 'Never' },
          Evaluation: 'Dynamic',
          ChangeSource: 'DirectModification',
        },
        {
          Target: { Attribute: 'Tags', RequiresRecreation: 'Never' },
          Evaluation: 'Static',
          ChangeSource: 'ParameterReference',
          CausingEntity: 'Purpose',
        },
      ],
    });
  });

  test('the same template, parameters and tags: FAILED, not executable, in CloudFormation’s words', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'same', bucketTemplate());

    // Act
    const changeSet = await plan(cfn, 'same', 'nothing', bucketTemplate());
    const executing = cfn.executeChangeSet({ ChangeSetName: changeSet.id }, REGION);

    // Assess
    expect(changeSet).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      Changes: [],
    });
    await expect(executing).rejects.toMatchObject({
      name: 'InvalidChangeSetStatusException',
      message: `ChangeSet [${changeSet.id}] cannot be executed in its current status of [FAILED]`,
    });
  });

  test('only outputs changed: created, with no resource changes, and executable', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'outputs', bucketTemplate());

    // Act
    const changeSet = await plan(
      cfn,
      'outputs',
      'more',
      bucketTemplate({}, { Arn: { Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] } } }),
    );

    // Assess
    expect(changeSet).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
  });

  test('checked as UpdateStack checks: a template error or missing capability is refused at once', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'checked', bucketTemplate());
    const role = {
      Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } },
    };

    // Act
    const dangling = cfn.createChangeSet(
      {
        StackName: 'checked',
        ChangeSetName: 'bad',
        TemplateBody: body(bucketTemplate({ BucketName: { Ref: 'Nope' } })),
      },
      REGION,
    );
    const uncapable = cfn.createChangeSet(
      { StackName: 'checked', ChangeSetName: 'iam', TemplateBody: body(role) },
      REGION,
    );
    const noStack = cfn.createChangeSet(
      { StackName: 'absent', ChangeSetName: 'x', TemplateBody: body(bucketTemplate()) },
      REGION,
    );

    // Assess
    await expect(dangling).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('Unresolved resource dependencies [Nope]'),
    });
    await expect(uncapable).rejects.toMatchObject({ name: 'InsufficientCapabilitiesException' });
    await expect(noStack).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack [absent] does not exist',
    });
    expect((await cfn.listChangeSets({ StackName: 'checked' }, REGION)).Summaries).toEqual([]);
  });

  test('changes come a page of 100 at a time, with a NextToken', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'many', bucketTemplate());
    const queues = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`Queue${i}`, { Type: 'AWS::SQS::Queue' }]),
    );

    // Act
    const first = await plan(cfn, 'many', 'queues', {
      Resources: { ...bucketTemplate().Resources, ...queues },
    });
    const second = await cfn.describeChangeSet(
      { ChangeSetName: first.id, NextToken: first.NextToken },
      REGION,
    );

    // Assess
    expect(first.Changes).toHaveLength(100);
    expect(second.Changes).toHaveLength(20);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('a change set’s life', () => {
  test('pending, in progress, then complete a short delay later', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'timing', bucketTemplate());

    // Act
    const { Id } = await cfn.createChangeSet(
      {
        StackName: 'timing',
        ChangeSetName: 'later',
        TemplateBody: body(bucketTemplate({ BucketName: 'later' })),
      },
      REGION,
    );
    const atOnce = await cfn.describeChangeSet({ ChangeSetName: Id }, REGION);
    await cfn.whenIdle();
    const done = await cfn.describeChangeSet({ ChangeSetName: 'later', StackName: 'timing' }, REGION);

    // Assess
    expect(atOnce).toMatchObject({ Status: 'CREATE_PENDING', ExecutionStatus: 'UNAVAILABLE', Changes: [] });
    expect(done).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(done.Changes).toHaveLength(1);
  });

  test('executing it updates the stack as UpdateStack would: same statuses and events, its token on them', async () => {
    // Prepare
    const { cfn, published } = start();
    const next = bucketTemplate({ BucketName: 'renamed-site' });
    await createAndWait(cfn, 'direct', bucketTemplate());
    await createAndWait(cfn, 'planned', bucketTemplate());
    await cfn.updateStack(
      { StackName: 'direct', TemplateBody: body(next), ClientRequestToken: 'op-1' },
      REGION,
    );
    await cfn.whenIdle();
    const changeSet = await plan(cfn, 'planned', 'rename', next);
    const other = await plan(cfn, 'planned', 'other', bucketTemplate({ BucketName: 'other-site' }));
    published.splice(0);

    // Act
    await cfn.executeChangeSet(
      { StackName: 'planned', ChangeSetName: 'rename', ClientRequestToken: 'op-2' },
      REGION,
    );
    const during = await cfn.describeChangeSet({ ChangeSetName: changeSet.id }, REGION);
    await cfn.whenIdle();

    // Assess
    const shape = async (stackName: string) =>
      (await allEvents(cfn, stackName))
        .slice(4)
        .map(
          (event) =>
            `${event.LogicalResourceId === stackName ? 'stack' : event.LogicalResourceId} ` +
            `${event.ResourceStatus} ${event.ClientRequestToken}`,
        );
    expect(await shape('planned')).toEqual(
      (await shape('direct')).map((line) => line.replace('op-1', 'op-2')),
    );
    expect(stackStatuses(await allEvents(cfn, 'planned')).slice(2)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
    expect(published.map((event) => event.detail['client-request-token'])).toEqual(['op-2', 'op-2', 'op-2']);
    expect(during.ExecutionStatus).toBe('EXECUTE_IN_PROGRESS');
    expect(await cfn.describeChangeSet({ ChangeSetName: changeSet.id }, REGION)).toMatchObject({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'EXECUTE_COMPLETE',
    });
    // CloudFormation deletes the stack's other change sets: they were planned against the old stack.
    await expect(cfn.describeChangeSet({ ChangeSetName: other.id }, REGION)).rejects.toMatchObject({
      name: 'ChangeSetNotFoundException',
    });
    expect((await describeStack(cfn, 'planned')).Outputs).toEqual([
      { OutputKey: 'BucketName', OutputValue: 'renamed-site' },
    ]);
  });

  test('a retried execute with the same token succeeds; executing it again with another is refused', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'twice', bucketTemplate());
    const changeSet = await plan(cfn, 'twice', 'once', bucketTemplate({ BucketName: 'once' }));
    await cfn.executeChangeSet({ ChangeSetName: changeSet.id, ClientRequestToken: 'op-1' }, REGION);

    // Act
    const retried = cfn.executeChangeSet({ ChangeSetName: changeSet.id, ClientRequestToken: 'op-1' }, REGION);
    await cfn.whenIdle();
    const again = cfn.executeChangeSet({ ChangeSetName: changeSet.id, ClientRequestToken: 'op-2' }, REGION);

    // Assess
    await expect(retried).resolves.toBeUndefined();
    await expect(again).rejects.toMatchObject({
      name: 'InvalidChangeSetStatusException',
      message: `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [EXECUTE_COMPLETE]`,
    });
  });

  test('an update that fails rolls back as UpdateStack’s would: EXECUTE_FAILED', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'failing', bucketTemplate());
    const changeSet = await plan(cfn, 'failing', 'doomed', bucketTemplate({ BucketName: 'doomed' }));
    cfn.failWhen({ stackName: 'failing', logicalId: 'Bucket' });

    // Act
    await cfn.executeChangeSet({ ChangeSetName: changeSet.id, ClientRequestToken: 'op-1' }, REGION);
    await cfn.whenIdle();

    // Assess
    expect((await describeStack(cfn, 'failing')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await cfn.describeChangeSet({ ChangeSetName: changeSet.id }, REGION)).ExecutionStatus).toBe(
      'EXECUTE_FAILED',
    );
  });

  test('a stack updated after it was planned makes it OBSOLETE, and executing it is refused', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'moved', bucketTemplate());
    const changeSet = await plan(cfn, 'moved', 'stale', bucketTemplate({ BucketName: 'stale' }));
    const creating = await cfn.createChangeSet(
      {
        StackName: 'moved',
        ChangeSetName: 'creating',
        TemplateBody: body(bucketTemplate({ BucketName: 'creating' })),
      },
      REGION,
    );

    // Act
    await cfn.updateStack(
      { StackName: 'moved', TemplateBody: body(bucketTemplate({ BucketName: 'meanwhile' })) },
      REGION,
    );
    await cfn.whenIdle();
    const executing = cfn.executeChangeSet(
      { ChangeSetName: changeSet.id, ClientRequestToken: 'op-9' },
      REGION,
    );

    // Assess
    expect(await cfn.describeChangeSet({ ChangeSetName: changeSet.id }, REGION)).toMatchObject({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'OBSOLETE',
    });
    expect(await cfn.describeChangeSet({ ChangeSetName: creating.Id }, REGION)).toMatchObject({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'OBSOLETE',
    });
    await expect(executing).rejects.toMatchObject({
      name: 'InvalidChangeSetStatusException',
      message: `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [OBSOLETE]`,
    });
    expect((await describeStack(cfn, 'moved')).Outputs).toEqual([
      { OutputKey: 'BucketName', OutputValue: 'meanwhile' },
    ]);
  });

  test('deleted: gone by name and ARN; deleting again succeeds; the stack must exist', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'kept', bucketTemplate());
    const changeSet = await plan(cfn, 'kept', 'unwanted', bucketTemplate({ BucketName: 'unwanted' }));

    // Act
    await cfn.deleteChangeSet({ StackName: 'kept', ChangeSetName: 'unwanted' }, REGION);
    const again = cfn.deleteChangeSet({ StackName: 'kept', ChangeSetName: 'unwanted' }, REGION);
    const noStack = cfn.deleteChangeSet({ StackName: 'nostack', ChangeSetName: 'unwanted' }, REGION);

    // Assess
    await expect(cfn.describeChangeSet({ ChangeSetName: changeSet.id }, REGION)).rejects.toMatchObject({
      name: 'ChangeSetNotFoundException',
      message: `ChangeSet [${changeSet.id}] does not exist`,
    });
    await expect(
      cfn.describeChangeSet({ StackName: 'kept', ChangeSetName: 'unwanted' }, REGION),
    ).rejects.toMatchObject({
      name: 'ChangeSetNotFoundException',
    });
    await expect(again).resolves.toBeUndefined();
    await expect(noStack).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack [nostack] does not exist',
    });
    expect((await describeStack(cfn, 'kept')).StackStatus).toBe('CREATE_COMPLETE');
  });

  test('one being created cannot be deleted yet', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'busy', bucketTemplate());
    await cfn.createChangeSet(
      {
        StackName: 'busy',
        ChangeSetName: 'young',
        TemplateBody: body(bucketTemplate({ BucketName: 'young' })),
      },
      REGION,
    );

    // Act
    const deleting = cfn.deleteChangeSet({ StackName: 'busy', ChangeSetName: 'young' }, REGION);

    // Assess
    await expect(deleting).rejects.toMatchObject({ name: 'InvalidChangeSetStatusException' });
    await cfn.whenIdle();
  });

  test('deleted with its stack, except one that was executed (still describable by ARN, as on AWS)', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'doomed', bucketTemplate());
    const executed = await plan(cfn, 'doomed', 'applied', bucketTemplate({ BucketName: 'applied' }));
    await cfn.executeChangeSet({ ChangeSetName: executed.id, ClientRequestToken: 'op-1' }, REGION);
    await cfn.whenIdle();
    const pending = await plan(cfn, 'doomed', 'pending', bucketTemplate({ BucketName: 'pending' }));

    // Act
    await cfn.deleteStack({ StackName: 'doomed' }, REGION);
    await cfn.whenIdle();

    // Assess
    await expect(cfn.describeChangeSet({ ChangeSetName: pending.id }, REGION)).rejects.toMatchObject({
      name: 'ChangeSetNotFoundException',
    });
    await expect(
      cfn.describeChangeSet({ StackName: 'doomed', ChangeSetName: 'pending' }, REGION),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack [doomed] does not exist',
    });
    expect((await cfn.describeChangeSet({ ChangeSetName: executed.id }, REGION)).ExecutionStatus).toBe(
      'EXECUTE_COMPLETE',
    );
  });

  test('a name is taken until deleted; a retry with the same ClientToken gets the same change set', async () => {
    // Prepare
    const { cfn } = start();
    await createAndWait(cfn, 'named', bucketTemplate());
    const input = {
      StackName: 'named',
      ChangeSetName: 'approval-1',
      TemplateBody: body(bucketTemplate({ BucketName: 'approved' })),
      ClientToken: 'op-1-change-set',
    };
    const first = await cfn.createChangeSet(input, REGION);

    // Act
    const retried = await cfn.createChangeSet(input, REGION);
    const other = cfn.createChangeSet({ ...input, ClientToken: 'op-2-change-set' }, REGION);

    // Assess
    expect(retried).toEqual(first);
    await expect(other).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    await cfn.whenIdle();
    expect((await cfn.listChangeSets({ StackName: 'named' }, REGION)).Summaries).toHaveLength(1);
  });

  test('DescribeStacks is unaffected by change sets', async () => {
    // Prepare
    const { cfn } = start();
    const before = await createAndWait(cfn, 'plain', bucketTemplate());

    // Act
    await plan(cfn, 'plain', 'looked-at', bucketTemplate({ BucketName: 'looked-at' }));

    // Assess
    expect(await describeStack(cfn, 'plain')).toEqual(before);
  });
});

describe('across a restart (a state folder)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfn-change-sets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A process of the simulator on the folder; a long step leaves its work unfinished. */
  function process(delayMs = 1) {
    const cfn = new LocalCloudFormation({ delayMs, stateDir: join(dir, 'cloudformation') });
    running.push(cfn);
    return cfn;
  }

  /** Stops a process as a crash would: nothing more is written, pending steps never run. */
  async function crash(cfn: LocalCloudFormation) {
    cfn.dispose();
    await cfn.whenIdle();
  }

  test('a created change set is found again, and can be executed', async () => {
    // Prepare
    const first = process();
    await createAndWait(first, 'kept', bucketTemplate());
    const planned = await plan(first, 'kept', 'rename', bucketTemplate({ BucketName: 'after-restart' }));
    await crash(first);

    // Act
    const second = process();
    const found = await second.describeChangeSet({ StackName: 'kept', ChangeSetName: 'rename' }, REGION);
    await second.executeChangeSet({ ChangeSetName: planned.id, ClientRequestToken: 'op-2' }, REGION);
    await second.whenIdle();

    // Assess
    const { id: _id, ...described } = planned;
    expect(found).toEqual(described);
    expect((await second.describeChangeSet({ ChangeSetName: planned.id }, REGION)).ExecutionStatus).toBe(
      'EXECUTE_COMPLETE',
    );
    expect((await describeStack(second, 'kept')).Outputs).toEqual([
      { OutputKey: 'BucketName', OutputValue: 'after-restart' },
    ]);
  });

  test('one still being created is completed by resume()', async () => {
    // Prepare: a step of 10 minutes leaves it CREATE_PENDING
    const first = process();
    await createAndWait(first, 'cut', bucketTemplate());
    first.setDelay(600_000);
    const { Id } = await first.createChangeSet(
      {
        StackName: 'cut',
        ChangeSetName: 'cut-short',
        TemplateBody: body(bucketTemplate({ BucketName: 'x' })),
      },
      REGION,
    );
    await crash(first);

    // Act
    const second = process();
    const found = (await second.describeChangeSet({ ChangeSetName: Id }, REGION)).Status;
    second.resume();
    await second.whenIdle();

    // Assess
    expect(found).toBe('CREATE_PENDING');
    expect(await second.describeChangeSet({ ChangeSetName: Id }, REGION)).toMatchObject({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [expect.objectContaining({ ResourceChange: expect.objectContaining({ Action: 'Modify' }) })],
    });
  });

  test('one being executed is EXECUTE_COMPLETE once resume() has finished its update', async () => {
    // Prepare
    const first = process();
    await createAndWait(first, 'mid', bucketTemplate());
    const planned = await plan(first, 'mid', 'mid-update', bucketTemplate({ BucketName: 'mid-new' }));
    first.setDelay(600_000);
    await first.executeChangeSet({ ChangeSetName: planned.id, ClientRequestToken: 'op-3' }, REGION);
    await crash(first);

    // Act
    const second = process();
    const found = (await second.describeChangeSet({ ChangeSetName: planned.id }, REGION)).ExecutionStatus;
    second.resume();
    await second.whenIdle();

    // Assess
    expect(found).toBe('EXECUTE_IN_PROGRESS');
    expect((await second.describeChangeSet({ ChangeSetName: planned.id }, REGION)).ExecutionStatus).toBe(
      'EXECUTE_COMPLETE',
    );
    expect((await describeStack(second, 'mid')).StackStatus).toBe('UPDATE_COMPLETE');
  });

  test('a deleted change set stays deleted', async () => {
    // Prepare
    const first = process();
    await createAndWait(first, 'tidy', bucketTemplate());
    const planned = await plan(first, 'tidy', 'dropped', bucketTemplate({ BucketName: 'dropped' }));
    await first.deleteChangeSet({ ChangeSetName: planned.id }, REGION);
    await first.whenIdle();
    await crash(first);

    // Act
    const second = process();
    const describing = second.describeChangeSet({ ChangeSetName: planned.id }, REGION);

    // Assess
    await expect(describing).rejects.toMatchObject({ name: 'ChangeSetNotFoundException' });
  });
});
