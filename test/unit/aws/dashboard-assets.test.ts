import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handleDashboardAssets, type CustomResourceEvent } from '../../../src/cloud/aws/dashboard-assets';

const s3Mock = mockClient(S3Client);

const event = (type: CustomResourceEvent['RequestType']): CustomResourceEvent => ({
  RequestType: type,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/tinystacks-prod/1',
  RequestId: 'req-1',
  LogicalResourceId: 'DashboardAssets',
  ResourceProperties: { BucketName: 'dashboard-bucket', BuildHash: 'abc' },
});

describe('Custom::DashboardAssets: the dashboard’s files into its bucket during serverless deploy', () => {
  let filesDir: string;
  let answers: { url: string; body: Record<string, unknown> }[];
  const deps = () => ({
    s3: new S3Client({ region: 'us-east-1' }),
    filesDir,
    respond: async (url: string, body: string) => {
      answers.push({ url, body: JSON.parse(body) as Record<string, unknown> });
    },
  });

  beforeEach(() => {
    s3Mock.reset();
    answers = [];
    filesDir = mkdtempSync(join(tmpdir(), 'tinystacks-dashboard-'));
    mkdirSync(join(filesDir, 'assets'));
    writeFileSync(join(filesDir, 'index.html'), '<!doctype html>');
    writeFileSync(join(filesDir, 'assets/index-1.js'), 'js');
    writeFileSync(join(filesDir, 'assets/index-1.css'), 'css');
  });
  afterEach(() => rmSync(filesDir, { recursive: true, force: true }));

  test('Create uploads every file with its type and caching, index.html last, and answers SUCCESS', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // Act
    await handleDashboardAssets(event('Create'), deps());

    // Assess
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Key, p.ContentType, p.CacheControl])).toEqual([
      ['assets/index-1.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['assets/index-1.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['index.html', 'text/html; charset=utf-8', 'no-cache'],
    ]);
    expect(puts.every((p) => p.Bucket === 'dashboard-bucket')).toBe(true);
    expect(answers).toEqual([
      {
        url: event('Create').ResponseURL,
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'dashboard-assets-dashboard-bucket',
          RequestId: 'req-1',
          LogicalResourceId: 'DashboardAssets',
        }),
      },
    ]);
  });

  test('a failed upload answers FAILED with the reason, so the deploy stops and rolls back', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).rejects(new Error('Access Denied'));

    // Act
    await handleDashboardAssets(event('Update'), deps());

    // Assess
    expect(answers[0]!.body).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: 'Access Denied' }));
  });

  test('a package without the build answers FAILED instead of publishing nothing', async () => {
    // Prepare
    rmSync(join(filesDir, 'index.html'));

    // Act
    await handleDashboardAssets(event('Create'), deps());

    // Assess
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(answers[0]!.body.Status).toBe('FAILED');
  });

  test('Delete empties the bucket, page by page, so CloudFormation can remove it', async () => {
    // Prepare
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'index.html' }], NextContinuationToken: 'next' })
      .resolvesOnce({ Contents: [{ Key: 'assets/a.js' }] });
    s3Mock.on(DeleteObjectsCommand).resolves({});

    // Act
    await handleDashboardAssets({ ...event('Delete'), PhysicalResourceId: 'dashboard-assets-x' }, deps());

    // Assess
    const deleted = s3Mock
      .commandCalls(DeleteObjectsCommand)
      .flatMap((c) => c.args[0].input.Delete!.Objects!);
    expect(deleted.map((o) => o.Key)).toEqual(['index.html', 'assets/a.js']);
    expect(answers[0]!.body).toEqual(
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'dashboard-assets-x' }),
    );
  });
});
