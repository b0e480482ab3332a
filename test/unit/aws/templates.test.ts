import {
  BucketAlreadyExists,
  CreateBucketCommand,
  NoSuchBucket,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudError } from '../../../src/cloud/errors';
import { freshClock, grantCredentials, sts } from './sts-fakes';

const { templates } = await import('../../../src/cloud/aws/templates');

/**
 * Templates go to CloudFormation by URL (1 MB) rather than inline (51,200 bytes): the adapter puts
 * them in the customer's bucket for the account and region, as the customer's role.
 */
const s3 = mockClient(S3Client);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const BUCKET = 'tinystacks-templates-444455556666-eu-west-1';
const request = {
  stackName: 'tinystacks-stk-dev',
  clientRequestToken: 'op-1-create',
  templateBody: JSON.stringify({ Resources: {}, Description: 'x'.repeat(60_000) }),
};
const s3Error = (name: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} happened` });

beforeEach(() => {
  sts.reset();
  s3.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

test('the template is put in the account and region’s bucket, its owner checked, and its URL returned', async () => {
  // Prepare
  s3.on(PutObjectCommand).resolves({});

  // Act
  const url = await templates.put(target, request);

  // Assess
  expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
    Bucket: BUCKET,
    Key: 'tinystacks-stk-dev/op-1-create.json',
    Body: request.templateBody,
    ContentType: 'application/json',
    ExpectedBucketOwner: '444455556666',
  });
  expect(url).toBe(`https://${BUCKET}.s3.eu-west-1.amazonaws.com/tinystacks-stk-dev/op-1-create.json`);
  expect(s3.commandCalls(CreateBucketCommand)).toHaveLength(0);
});

test('S3 is called as the customer’s role, in the stack’s region, by one client per role and region', async () => {
  // Prepare
  s3.on(PutObjectCommand).resolves({});

  // Act
  await templates.put(target, request);
  await templates.put(target, { ...request, clientRequestToken: 'op-2-update' });

  // Assess
  const [first, second] = s3.send.thisValues as S3Client[];
  expect(first).toBe(second);
  expect((await first!.config.credentials()).accessKeyId).toBe('AKIA-tinystacks');
  expect(await first!.config.region()).toBe('eu-west-1');
});

test('the first template of an account and region makes the bucket, its objects expiring after a day', async () => {
  // Prepare
  s3.on(PutObjectCommand)
    .rejectsOnce(new NoSuchBucket({ $metadata: {}, message: 'no such bucket' }))
    .resolves({});
  s3.on(CreateBucketCommand).resolves({});
  s3.on(PutBucketLifecycleConfigurationCommand).resolves({});

  // Act
  await templates.put(target, request);

  // Assess
  expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
    Bucket: BUCKET,
    CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
  });
  expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input).toMatchObject({
    Bucket: BUCKET,
    ExpectedBucketOwner: '444455556666',
    LifecycleConfiguration: { Rules: [{ Status: 'Enabled', Expiration: { Days: 1 } }] },
  });
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
});

test('in us-east-1 the bucket names no location; in China the URL has the partition’s domain', async () => {
  // Prepare
  s3.on(PutObjectCommand).rejectsOnce(s3Error('NoSuchBucket')).resolves({});
  s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou'));
  s3.on(PutBucketLifecycleConfigurationCommand).resolves({});

  // Act
  const east = await templates.put({ ...target, region: 'us-east-1' }, request);
  const china = await templates.put(
    { ...target, roleArn: 'arn:aws-cn:iam::444455556666:role/tinystacks', region: 'cn-north-1' },
    request,
  );

  // Assess
  expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
    Bucket: 'tinystacks-templates-444455556666-us-east-1',
  });
  // A bucket made by a concurrent call is ours: its lifecycle rule is put again (the same rule).
  expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)).toHaveLength(1);
  expect([east, china]).toEqual([
    'https://tinystacks-templates-444455556666-us-east-1.s3.us-east-1.amazonaws.com/tinystacks-stk-dev/op-1-create.json',
    'https://tinystacks-templates-444455556666-cn-north-1.s3.cn-north-1.amazonaws.com.cn/tinystacks-stk-dev/op-1-create.json',
  ]);
});

test('a bucket name taken by another account is TemplateBucketTaken, naming the bucket', async () => {
  // Prepare
  s3.on(PutObjectCommand).rejects(s3Error('NoSuchBucket'));
  s3.on(CreateBucketCommand).rejects(new BucketAlreadyExists({ $metadata: {}, message: 'taken' }));

  // Act
  const putting = templates.put(target, request);

  // Assess
  await expect(putting).rejects.toHaveProperty('name', 'TemplateBucketTaken');
  await expect(putting).rejects.toThrow(BUCKET);
});

test.each([
  ['AccessDenied', 'AccessDenied'],
  ['SlowDown', 'Throttled'],
])('S3 %s on the put is %s', async (code, name) => {
  // Prepare
  s3.on(PutObjectCommand).rejects(s3Error(code));

  // Act
  const putting = templates.put(target, request);

  // Assess
  await expect(putting).rejects.toBeInstanceOf(CloudError);
  await expect(putting).rejects.toHaveProperty('name', name);
});
