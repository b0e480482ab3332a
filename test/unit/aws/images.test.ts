import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedServices } from '../../../src/local/cloudformation/effects';
import { LocalImages } from '../../../src/local/images';
import { assumedRoles, freshClock, grantCredentials, serviceError, sts } from './sts-fakes';

const { images } = await import('../../../src/cloud/aws/images');

const ecr = mockClient(ECRClient);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const REPOSITORY = '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tinystacks/stk_01jn8jc080jdpw4jc4hepvfnvh';
const SHA = 'c'.repeat(40);

beforeEach(() => {
  sts.reset();
  ecr.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

describe('the ECR adapter', () => {
  test('finds the commit’s image by its tag in the stack’s repository, as the customer’s role', async () => {
    // Prepare
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: 'sha256:abc', imageTags: [SHA], repositoryName: 'tinystacks/x' }],
    });

    // Act
    const found = await images.findImage(target, REPOSITORY, SHA);

    // Assess
    expect(found).toEqual({ digest: 'sha256:abc' });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      registryId: '444455556666',
      repositoryName: 'tinystacks/stk_01jn8jc080jdpw4jc4hepvfnvh',
      imageIds: [{ imageTag: SHA }],
    });
    expect(await ecr.call(0).thisValue.config.region()).toBe('eu-west-1');
    expect(assumedRoles().map((r) => r.ExternalId)).toContain('ext-1');
  });

  test.each([
    ['an image that is not there', new ImageNotFoundException({ message: 'no image', $metadata: {} })],
    [
      'a repository that is not there',
      new RepositoryNotFoundException({ message: 'no repo', $metadata: {} }),
    ],
  ])('%s reads as not built (the run builds the commit)', async (_, error) => {
    // Prepare
    ecr.on(DescribeImagesCommand).rejects(error);

    // Act
    const found = await images.findImage(target, REPOSITORY, SHA);

    // Assess
    expect(found).toBeUndefined();
  });

  test('throttling is named so the state machine retries it; other errors stay what they are', async () => {
    // Prepare
    ecr
      .on(DescribeImagesCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .rejectsOnce(serviceError('AccessDeniedException'));

    // Act
    const throttled = await images.findImage(target, REPOSITORY, SHA).catch((e: Error) => e);
    const denied = await images.findImage(target, REPOSITORY, SHA).catch((e: Error) => e);

    // Assess
    expect((throttled as Error).name).toBe('Throttled');
    expect((denied as Error).name).toBe('AccessDeniedException');
  });

  test('a URI that is not an ECR repository’s is not looked up', async () => {
    // Act
    const found = await images.findImage(target, 'public.ecr.aws/nginx/nginx', SHA);

    // Assess
    expect(found).toBeUndefined();
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});

describe('the local ECR', () => {
  test('finds the images the simulated builds pushed, and no other', async () => {
    // Prepare
    const services = new SimulatedServices();
    services.images.set(`${REPOSITORY}:${SHA}`, ['arm64']);
    const local = new LocalImages(services);

    // Act
    const found = await local.findImage(target, REPOSITORY, SHA);
    const missing = await local.findImage(target, REPOSITORY, 'd'.repeat(40));

    // Assess
    expect(found?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(missing).toBeUndefined();
  });
});
