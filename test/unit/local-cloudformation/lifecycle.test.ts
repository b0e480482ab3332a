import { LocalCloudFormation } from '../../../src/local/cloudformation';
import {
  allEvents,
  body,
  bucketTemplate,
  createAndWait,
  describe as describeStack,
  newCloudFormation,
  outputsOf,
  REGION,
  stackStatuses,
} from './helpers';

const { cfn, published } = newCloudFormation();
afterEach(() => cfn.clearFailures());
afterAll(() => cfn.dispose());

async function updateAndWait(
  stackName: string,
  template: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  await cfn.updateStack({ StackName: stackName, TemplateBody: body(template), ...extra }, REGION);
  await cfn.whenIdle();
  return describeStack(cfn, stackName);
}

const twoBuckets = (secondName: string) => ({
  Resources: {
    Logs: { Type: 'AWS::S3::Bucket' },
    Site: { Type: 'AWS::S3::Bucket', Properties: { BucketName: secondName } },
  },
  Outputs: { Logs: { Value: { Ref: 'Logs' } }, Site: { Value: { Ref: 'Site' } } },
});

describe('status change events', () => {
  test('have the EventBridge shape and follow the stack through create, update and delete', async () => {
    // Prepare
    published.length = 0;
    const { StackId } = await cfn.createStack(
      { StackName: 'walk', TemplateBody: body(bucketTemplate()), ClientRequestToken: 'create-1' },
      REGION,
    );
    await cfn.whenIdle();

    // Act
    await updateAndWait('walk', bucketTemplate({ BucketName: 'walk-site' }));
    await cfn.deleteStack({ StackName: 'walk' }, REGION);
    await cfn.whenIdle();

    // Assess
    expect(published.map((event) => event.detail['status-details'].status)).toEqual([
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_COMPLETE',
      'DELETE_IN_PROGRESS',
      'DELETE_COMPLETE',
    ]);
    expect(published[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'CloudFormation Stack Status Change',
      source: 'aws.cloudformation',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: [StackId],
      detail: {
        'stack-id': StackId,
        'status-details': { status: 'CREATE_IN_PROGRESS', 'status-reason': 'User Initiated' },
        'client-request-token': 'create-1',
      },
    });
    expect(published[1]?.detail['status-details']).toEqual({
      status: 'CREATE_COMPLETE',
      'status-reason': '',
    });
  });

  test('a failing subscriber does not stop the stack', async () => {
    // Prepare
    const throwing = new LocalCloudFormation({
      delayMs: 1,
      onStatusChange: () => {
        throw new Error('subscriber down');
      },
    });
    const rejecting = new LocalCloudFormation({
      delayMs: 1,
      onStatusChange: () => Promise.reject(new Error('down')),
    });

    // Act
    const stacks = await Promise.all(
      [throwing, rejecting].map((local) => createAndWait(local, 'robust', bucketTemplate())),
    );

    // Assess
    expect(stacks.map((stack) => stack.StackStatus)).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
    throwing.dispose();
    rejecting.dispose();
  });
});

describe('describeStackEvents', () => {
  test('lists events newest first, stack and resource events alike', async () => {
    // Prepare
    await createAndWait(cfn, 'events', bucketTemplate());

    // Act
    const { StackEvents } = await cfn.describeStackEvents({ StackName: 'events' }, REGION);

    // Assess
    expect(StackEvents?.map((event) => [event.LogicalResourceId, event.ResourceStatus])).toEqual([
      ['events', 'CREATE_COMPLETE'],
      ['Bucket', 'CREATE_COMPLETE'],
      ['Bucket', 'CREATE_IN_PROGRESS'],
      ['events', 'CREATE_IN_PROGRESS'],
    ]);
    expect(StackEvents?.[1]).toEqual({
      EventId: expect.any(String),
      StackId: expect.stringContaining(':stack/events/'),
      StackName: 'events',
      LogicalResourceId: 'Bucket',
      PhysicalResourceId: expect.stringMatching(/^events-bucket-[a-z0-9]{12}$/),
      ResourceType: 'AWS::S3::Bucket',
      Timestamp: expect.any(Date),
      ResourceStatus: 'CREATE_COMPLETE',
    });
    const times = StackEvents!.map((event) => event.Timestamp!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  test('pages through long histories with NextToken', async () => {
    // Prepare
    const resources = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`B${i}`, { Type: 'AWS::S3::Bucket' }]),
    );
    await createAndWait(cfn, 'many', { Resources: resources });

    // Act
    const first = await cfn.describeStackEvents({ StackName: 'many' }, REGION);
    const second = await cfn.describeStackEvents({ StackName: 'many', NextToken: first.NextToken }, REGION);

    // Assess
    expect(first.StackEvents).toHaveLength(100);
    expect(second.StackEvents).toHaveLength(22);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('updateStack', () => {
  test('an identical template and parameters is "No updates are to be performed."', async () => {
    // Prepare
    await createAndWait(cfn, 'same', bucketTemplate());

    // Act
    const attempt = cfn.updateStack({ StackName: 'same', TemplateBody: body(bucketTemplate()) }, REGION);
    const previous = cfn.updateStack({ StackName: 'same', UsePreviousTemplate: true }, REGION);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'No updates are to be performed.',
    });
    await expect(previous).rejects.toMatchObject({ message: 'No updates are to be performed.' });
  });

  test('a retried UpdateStack with the same client request token is the same update', async () => {
    // Prepare
    await createAndWait(cfn, 'retried-update', bucketTemplate());
    const input = {
      StackName: 'retried-update',
      TemplateBody: body(bucketTemplate({ BucketName: 'v2' })),
      ClientRequestToken: 'op-2',
    };
    const first = await cfn.updateStack(input, REGION);

    // Act
    const retried = await cfn.updateStack(input, REGION);
    await cfn.whenIdle();
    const afterCompletion = await cfn.updateStack(input, REGION);

    // Assess
    const statuses = stackStatuses(await allEvents(cfn, 'retried-update'));
    expect(retried.StackId).toBe(first.StackId);
    expect(afterCompletion.StackId).toBe(first.StackId);
    expect(statuses.filter((status) => status === 'UPDATE_IN_PROGRESS')).toHaveLength(1);
  });

  test('changes only what changed, and physical ids survive the update', async () => {
    // Prepare
    const before = outputsOf(await createAndWait(cfn, 'partial-update', twoBuckets('site-v1')));

    // Act
    const stack = await updateAndWait('partial-update', twoBuckets('site-v2'));

    // Assess
    const updateEvents = (await allEvents(cfn, 'partial-update')).filter((event) =>
      event.ResourceStatus?.startsWith('UPDATE_'),
    );
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(outputsOf(stack)).toEqual({ Logs: before.Logs, Site: 'site-v2' });
    expect(updateEvents.map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`)).toEqual([
      'partial-update UPDATE_IN_PROGRESS',
      'Site UPDATE_IN_PROGRESS',
      'Site UPDATE_COMPLETE',
      'partial-update UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'partial-update UPDATE_COMPLETE',
    ]);
  });

  test('registers a new task definition revision when the task definition changes', async () => {
    // Prepare
    const task = (image: string) => ({
      Resources: {
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { Family: 'web', ContainerDefinitions: [{ Name: 'app', Image: image }] },
        },
      },
      Outputs: { Arn: { Value: { Ref: 'Task' } } },
    });
    const first = outputsOf(await createAndWait(cfn, 'revisions', task('nginx:1'))).Arn;

    // Act
    const second = outputsOf(await updateAndWait('revisions', task('nginx:2'))).Arn;

    // Assess
    expect(first).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1');
    expect(second).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2');
  });

  test('a failed update rolls back to UPDATE_ROLLBACK_COMPLETE and keeps the previous outputs', async () => {
    // Prepare
    const before = await createAndWait(cfn, 'bad-update', twoBuckets('site-v1'));
    const broken = twoBuckets('site-v2');
    (broken.Resources as Record<string, unknown>).Extra = {
      Type: 'AWS::S3::Bucket',
      Properties: { Shape: 'round' },
    };

    // Act
    const stack = await updateAndWait('bad-update', broken);

    // Assess
    const events = await allEvents(cfn, 'bad-update');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stack.Outputs).toEqual(before.Outputs);
    expect(stackStatuses(events).slice(2)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(events.find((event) => event.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toBe(
      'Encountered unsupported property Shape',
    );
    expect(
      events.find((event) => event.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')?.ResourceStatusReason,
    ).toBe('The following resource(s) failed to create: [Extra]. ');
    await expect(updateAndWait('bad-update', twoBuckets('site-v3'))).resolves.toMatchObject({
      StackStatus: 'UPDATE_COMPLETE',
    });
  });

  test('a failed rollback leaves UPDATE_ROLLBACK_FAILED until continueUpdateRollback', async () => {
    // Prepare
    await createAndWait(cfn, 'stuck', twoBuckets('site-v1'));
    cfn.failWhen({ stackName: 'stuck', logicalId: 'Site' });
    cfn.failWhen({
      stackName: 'stuck',
      logicalId: 'Site',
      operation: 'rollback',
      once: true,
      reason: 'Access denied',
    });
    const stuck = await updateAndWait('stuck', twoBuckets('site-v2'));
    const blocked = await cfn
      .updateStack({ StackName: 'stuck', TemplateBody: body(twoBuckets('site-v3')) }, REGION)
      .catch((error: unknown) => error);

    // Act
    await cfn.continueUpdateRollback({ StackName: 'stuck' }, REGION);
    await cfn.whenIdle();

    // Assess
    expect(stuck.StackStatus).toBe('UPDATE_ROLLBACK_FAILED');
    expect(stuck.StackStatusReason).toBe('The following resource(s) failed to update: [Site]. ');
    expect(blocked).toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(
        /^Stack:arn:aws:cloudformation:.* is in UPDATE_ROLLBACK_FAILED state and can not be updated\.$/,
      ),
    });
    expect((await describeStack(cfn, 'stuck')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(outputsOf(await describeStack(cfn, 'stuck')).Site).toBe('site-v1');
  });

  test('continueUpdateRollback is refused unless the stack is in UPDATE_ROLLBACK_FAILED', async () => {
    // Prepare
    await createAndWait(cfn, 'healthy', bucketTemplate());

    // Act
    const attempt = cfn.continueUpdateRollback({ StackName: 'healthy' }, REGION);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('a stack in ROLLBACK_COMPLETE can only be deleted', async () => {
    // Prepare
    cfn.failWhen({ stackName: 'dead-end' });
    const stack = await createAndWait(cfn, 'dead-end', bucketTemplate());
    cfn.clearFailures();

    // Act
    const update = cfn.updateStack(
      { StackName: 'dead-end', TemplateBody: body(bucketTemplate({ BucketName: 'x' })) },
      REGION,
    );
    const create = cfn.createStack({ StackName: 'dead-end', TemplateBody: body(bucketTemplate()) }, REGION);

    // Assess
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    await expect(update).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack:${stack.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
    });
    await expect(create).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    await cfn.deleteStack({ StackName: 'dead-end' }, REGION);
    await cfn.whenIdle();
    await expect(createAndWait(cfn, 'dead-end', bucketTemplate())).resolves.toMatchObject({
      StackStatus: 'CREATE_COMPLETE',
    });
  });

  test('a stack that is still creating cannot be updated or deleted', async () => {
    // Prepare
    const { StackId } = await cfn.createStack(
      { StackName: 'busy', TemplateBody: body(bucketTemplate()) },
      REGION,
    );

    // Act
    const update = cfn.updateStack(
      { StackName: 'busy', TemplateBody: body(bucketTemplate({ BucketName: 'b' })) },
      REGION,
    );
    const deletion = cfn.deleteStack({ StackName: 'busy' }, REGION);

    // Assess
    await expect(update).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack:${StackId} is in CREATE_IN_PROGRESS state and can not be updated.`,
    });
    await expect(deletion).rejects.toMatchObject({
      message: 'Stack [busy] cannot be deleted while in status CREATE_IN_PROGRESS',
    });
    await cfn.whenIdle();
  });

  test('a stack that does not exist cannot be updated or described', async () => {
    // Act
    const update = cfn.updateStack({ StackName: 'ghost', TemplateBody: body(bucketTemplate()) }, REGION);
    const described = cfn.describeStacks({ StackName: 'ghost' }, REGION);

    // Assess
    await expect(update).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id ghost does not exist',
    });
    await expect(described).rejects.toMatchObject({ message: 'Stack with id ghost does not exist' });
  });
});

describe('deleteStack', () => {
  test('deletes resources newest first; a deleted stack is found only by its id', async () => {
    // Prepare
    const { StackId } = await createAndWait(cfn, 'doomed', twoBuckets('doomed-site'));

    // Act
    await cfn.deleteStack({ StackName: 'doomed' }, REGION);
    await cfn.whenIdle();

    // Assess
    const { Stacks } = await cfn.describeStacks({ StackName: StackId }, REGION);
    const deletions = (await allEvents(cfn, StackId!))
      .filter((event) => event.ResourceStatus === 'DELETE_COMPLETE')
      .map((event) => event.LogicalResourceId);
    expect(Stacks?.[0]).toMatchObject({ StackStatus: 'DELETE_COMPLETE', DeletionTime: expect.any(Date) });
    expect(deletions).toEqual(['Site', 'Logs', 'doomed']);
    await expect(cfn.describeStacks({ StackName: 'doomed' }, REGION)).rejects.toMatchObject({
      message: 'Stack with id doomed does not exist',
    });
    const listed = await cfn.describeStacks({}, REGION);
    expect(listed.Stacks?.map((stack) => stack.StackId)).not.toContain(StackId);
  });

  test('deleting a stack that does not exist succeeds, like CloudFormation', async () => {
    // Act
    const deletion = cfn.deleteStack({ StackName: 'never-existed' }, REGION);

    // Assess
    await expect(deletion).resolves.toBeUndefined();
  });

  test('a failed deletion leaves DELETE_FAILED, and a retry that retains the resource completes', async () => {
    // Prepare
    await createAndWait(cfn, 'sticky', twoBuckets('sticky-site'));
    cfn.failWhen({ stackName: 'sticky', logicalId: 'Logs', operation: 'delete', reason: 'Bucket not empty' });
    await cfn.deleteStack({ StackName: 'sticky' }, REGION);
    await cfn.whenIdle();
    const failed = await describeStack(cfn, 'sticky');

    // Act
    await cfn.deleteStack({ StackName: 'sticky', RetainResources: ['Logs'] }, REGION);
    await cfn.whenIdle();

    // Assess
    const events = await allEvents(cfn, failed.StackId!);
    expect(failed.StackStatus).toBe('DELETE_FAILED');
    expect(failed.StackStatusReason).toBe('The following resource(s) failed to delete: [Logs]. ');
    expect(events.at(-1)?.ResourceStatus).toBe('DELETE_COMPLETE');
    expect(events.filter((event) => event.LogicalResourceId === 'Logs').at(-1)?.ResourceStatus).toBe(
      'DELETE_SKIPPED',
    );
  });
});

describe('timing', () => {
  test('a stack takes a few steps whatever its size, and dispose stops pending transitions', async () => {
    // Prepare
    const slow = new LocalCloudFormation({ delayMs: 50 });
    const resources = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`B${i}`, { Type: 'AWS::S3::Bucket' }]),
    );
    const started = Date.now();
    await createAndWait(slow, 'big', { Resources: resources });
    const elapsed = Date.now() - started;
    slow.setDelay(60_000);
    await slow.createStack({ StackName: 'never-finishes', TemplateBody: body(bucketTemplate()) }, REGION);

    // Act
    slow.dispose();

    // Assess
    expect(elapsed).toBeLessThan(1000);
    await expect(slow.whenIdle()).resolves.toBeUndefined();
    expect((await describeStack(slow, 'never-finishes')).StackStatus).toBe('CREATE_IN_PROGRESS');
  });
});
