import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { LocalS3 } from '../../../src/local/s3';
import { LocalStackPort } from '../../../src/local/stacks';
import { body, bucketTemplate, describe as describeStack, REGION } from './helpers';

/** A valid template of exactly `bytes` bytes: its metadata carries the weight. */
const templateOf = (bytes: number) => {
  const template = { ...bucketTemplate(), Metadata: { Filler: '' } };
  template.Metadata.Filler = 'x'.repeat(bytes - body(template).length);
  return template;
};

const target = { roleArn: 'arn:aws:iam::444455556666:role/tinystacks', region: REGION, externalId: 'e' };

/**
 * The simulated CloudFormation reading URLs from the S3 stand-in, and what the createStack and
 * updateStack tasks do with it: the template to S3, then its URL to CloudFormation.
 */
function withS3() {
  const s3 = new LocalS3();
  const cfn = new LocalCloudFormation({ delayMs: 1, templateSource: (url) => s3.readUrl(url) });
  const port = new LocalStackPort(cfn);
  const byUrl =
    (call: 'create' | 'update') =>
    async (template: Record<string, unknown>, { stackName = 'big', token = 'op-1-create' } = {}) => {
      const request = { stackName, clientRequestToken: token };
      const templateUrl = await s3.put(target, { ...request, templateBody: body(template) });
      return port[call](target, { ...request, templateUrl, tags: {} });
    };
  return { s3, cfn, create: byUrl('create'), update: byUrl('update') };
}

describe('template size, as CloudFormation limits it', () => {
  test('TemplateBody over 51,200 bytes is refused; at 51,200 it is taken', async () => {
    // Prepare
    const cfn = new LocalCloudFormation({ delayMs: 1 });

    // Act
    const over = cfn.createStack({ StackName: 'over', TemplateBody: body(templateOf(51_201)) }, REGION);
    const at = cfn.createStack({ StackName: 'at', TemplateBody: body(templateOf(51_200)) }, REGION);

    // Assess
    await expect(over).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(over).rejects.toThrow(/less than or equal to 51200/);
    await expect(at).resolves.toHaveProperty('StackId');
    await cfn.whenIdle();
  });

  test('TemplateURL is read from S3: 60 KB deploys; over 1 MB, or no such object, is refused', async () => {
    // Prepare
    const { cfn, create } = withS3();

    // Act
    await create(templateOf(60_000));
    await cfn.whenIdle();
    const tooBig = create(templateOf(1_000_001), { stackName: 'huge' });
    const missing = cfn.createStack(
      { StackName: 'nothing', TemplateURL: 'https://b.s3.eu-west-1.amazonaws.com/none.json' },
      REGION,
    );

    // Assess
    expect((await describeStack(cfn, 'big')).StackStatus).toBe('CREATE_COMPLETE');
    await expect(tooBig).rejects.toThrow('Template may not exceed 1000000 bytes in size.');
    await expect(missing).rejects.toThrow(
      'TemplateURL must reference a valid S3 object to which you have access.',
    );
  });

  test('an update goes by URL too, and the bucket is made once per account and region', async () => {
    // Prepare
    const { s3, cfn, create, update } = withS3();
    await create(templateOf(1000));
    await cfn.whenIdle();

    // Act
    await update(templateOf(70_000), { token: 'op-2-update' });
    await cfn.whenIdle();

    // Assess
    expect((await describeStack(cfn, 'big')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(
      s3.readUrl(
        'https://tinystacks-templates-444455556666-eu-west-1.s3.eu-west-1.amazonaws.com/big/op-2-update.json',
      ),
    ).toHaveLength(70_000);
  });

  test('a template bucket name owned by another account is never written to', () => {
    // Prepare
    const s3 = new LocalS3();
    s3.createBucket('tinystacks-templates-444455556666-eu-west-1', '999999999999');

    // Act
    const put = () =>
      s3.putObject({
        bucket: 'tinystacks-templates-444455556666-eu-west-1',
        key: 'k',
        body: '{}',
        expectedOwner: '444455556666',
      });

    // Assess
    expect(put).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(() => s3.createBucket('tinystacks-templates-444455556666-eu-west-1', '444455556666')).toThrow(
      expect.objectContaining({ name: 'BucketAlreadyExists' }),
    );
  });
});
