import {
  BucketAlreadyExists,
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { CloudError } from '../errors';
import type { TargetAccount, TemplatePort } from '../ports';
import { TEMPLATE_EXPIRY_DAYS, templateLocation, type TemplateLocation } from '../template-bucket';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isAccessDenied, isThrottling } from './aws-errors';

/** One S3 client per customer role and region, as for CloudFormation (src/cloud/aws/stacks.ts). */
const clients = new BoundedCache<S3Client>(MAX_CACHED);

const s3 = (target: TargetAccount) => customerClient(clients, target, (config) => new S3Client(config));

/**
 * The template bucket of the customer's account and region (src/cloud/template-bucket.ts says why
 * there), made on first use: private by S3's defaults for new buckets (Block Public Access on,
 * ACLs disabled, SSE-S3), its objects expiring after a day. A bucket of that name owned by anyone
 * else is never written to: every put names the expected owner.
 */
async function createTemplateBucket(client: S3Client, location: TemplateLocation, region: string) {
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: location.bucket,
        // us-east-1 is the default location and refuses to be named.
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (error) {
    // Another call made it meanwhile (its lifecycle rule is put again below: the same rule).
    const ours = error instanceof Error && error.name === 'BucketAlreadyOwnedByYou';
    if (error instanceof BucketAlreadyExists) {
      throw new CloudError(
        'TemplateBucketTaken',
        `the S3 bucket name ${location.bucket} is taken by another AWS account: TinyStacks keeps its templates there`,
      );
    }
    if (!ours) throw error;
  }
  await client.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: location.bucket,
      ExpectedBucketOwner: location.accountId,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'expire-templates',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Expiration: { Days: TEMPLATE_EXPIRY_DAYS },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    }),
  );
}

/** Puts the template where CloudFormation will read it, and returns its URL. */
async function putTemplate(
  target: TargetAccount,
  request: Parameters<TemplatePort['put']>[1],
): Promise<string> {
  const location = templateLocation(target, request.stackName, request.clientRequestToken);
  const client = await s3(target);
  const put = () =>
    client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: request.templateBody,
        ContentType: 'application/json',
        ExpectedBucketOwner: location.accountId,
      }),
    );
  try {
    try {
      await put();
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NoSuchBucket')) throw error;
      await createTemplateBucket(client, location, target.region);
      await put();
    }
  } catch (error) {
    if (isThrottling(error))
      throw new CloudError('Throttled', `S3 throttled the template of ${request.stackName}`);
    if (isAccessDenied(error)) {
      throw new CloudError(
        'AccessDenied',
        `cannot put the template in s3://${location.bucket}: the role needs s3:PutObject there, and the bucket must belong to account ${location.accountId}`,
      );
    }
    throw error;
  }
  return location.url;
}

export const templates: TemplatePort = { put: putTemplate };
