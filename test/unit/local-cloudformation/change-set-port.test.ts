import { CloudError } from '../../../src/cloud/errors';
import type { ChangeSetRequest } from '../../../src/cloud/ports';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { LocalS3 } from '../../../src/local/s3';
import { LocalStackPort } from '../../../src/local/stacks';
import { body, bucketTemplate, REGION } from './helpers';

/** The StackPort's change set calls over the simulated CloudFormation: what the workflows see. */

const target = { roleArn: 'arn:aws:iam::444455556666:role/tinystacks', region: REGION, externalId: 'e' };
const s3 = new LocalS3();
const cfn = new LocalCloudFormation({ delayMs: 1, templateSource: (url) => s3.readUrl(url) });
const stacks = new LocalStackPort(cfn);
afterAll(() => cfn.dispose());

async function stack(stackName: string) {
  const request = { stackName, clientRequestToken: 'op-1-create' };
  const templateUrl = await s3.put(target, { ...request, templateBody: body(bucketTemplate()) });
  await stacks.create(target, { ...request, templateUrl, tags: {} });
  await cfn.whenIdle();
}

async function request(stackName: string, changeSetName: string, template: Record<string, unknown>) {
  const clientToken = `${changeSetName}-token`;
  const templateUrl = await s3.put(target, {
    stackName,
    clientRequestToken: clientToken,
    templateBody: body(template),
  });
  return {
    stackName,
    changeSetName,
    templateUrl,
    tags: {},
    capabilities: [],
    clientToken,
  } satisfies ChangeSetRequest;
}

test('a plan that changes nothing reads noChanges, with CloudFormation’s status and reason', async () => {
  // Prepare
  await stack('same');
  await stacks.createChangeSet(target, await request('same', 'nothing', bucketTemplate()));
  await cfn.whenIdle();

  // Act
  const changeSet = await stacks.describeChangeSet(target, 'same', 'nothing');

  // Assess
  expect(changeSet).toEqual({
    changeSetId: expect.stringMatching(/^arn:aws:cloudformation:eu-west-1:\d{12}:changeSet\/nothing\//),
    status: 'FAILED',
    executionStatus: 'UNAVAILABLE',
    statusReason:
      "The submitted information didn't contain changes. Submit different information to create a change set.",
    noChanges: true,
    changes: [],
  });
});

test('a change set of a stack that is gone, or deleted, is ChangeSetGone; deleting it again succeeds', async () => {
  // Prepare
  await stack('tidy');
  const created = await stacks.createChangeSet(
    target,
    await request('tidy', 'dropped', bucketTemplate({ BucketName: 'dropped' })),
  );
  await cfn.whenIdle();

  // Act
  await stacks.deleteChangeSet(target, 'tidy', 'dropped');
  const describing = stacks.describeChangeSet(target, 'tidy', 'dropped');
  const executing = stacks.executeChangeSet(target, 'tidy', 'dropped', 'op-2-execute');
  const ofNoStack = stacks.describeChangeSet(target, 'never-created', 'dropped');

  // Assess
  expect(created.changeSetId).toContain(':changeSet/dropped/');
  await expect(describing).rejects.toEqual(
    new CloudError('ChangeSetGone', 'change set dropped of stack tidy does not exist'),
  );
  await expect(executing).rejects.toHaveProperty('name', 'ChangeSetGone');
  await expect(ofNoStack).rejects.toHaveProperty('name', 'ChangeSetGone');
  await expect(stacks.deleteChangeSet(target, 'tidy', 'dropped')).resolves.toBeUndefined();
  await expect(stacks.deleteChangeSet(target, 'never-created', 'dropped')).resolves.toBeUndefined();
});

test('one made obsolete by another update is ChangeSetNotExecutable; the name taken by another request is ChangeSetExists', async () => {
  // Prepare
  await stack('moved');
  const stale = await request('moved', 'stale', bucketTemplate({ BucketName: 'stale' }));
  await stacks.createChangeSet(target, stale);
  await cfn.whenIdle();
  await cfn.updateStack(
    { StackName: 'moved', TemplateBody: body(bucketTemplate({ BucketName: 'other' })) },
    REGION,
  );
  await cfn.whenIdle();

  // Act
  const executing = stacks.executeChangeSet(target, 'moved', 'stale', 'op-3-execute');
  const recreating = stacks.createChangeSet(target, { ...stale, clientToken: 'another-request' });
  const retrying = stacks.createChangeSet(target, stale);

  // Assess
  await expect(executing).rejects.toHaveProperty('name', 'ChangeSetNotExecutable');
  await expect(executing).rejects.toThrow(/OBSOLETE/);
  await expect(recreating).rejects.toEqual(
    new CloudError('ChangeSetExists', 'change set stale of stack moved already exists for another request'),
  );
  await expect(retrying).resolves.toHaveProperty('changeSetId', expect.stringContaining(':changeSet/stale/'));
  expect((await stacks.describeChangeSet(target, 'moved', 'stale')).executionStatus).toBe('OBSOLETE');
});
