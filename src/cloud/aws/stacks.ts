import {
  AlreadyExistsException,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Capability,
} from '@aws-sdk/client-cloudformation';
import {
  BucketAlreadyExists,
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { stackDescription, stackEvent } from '../cloudformation-shapes';
import { CloudError } from '../errors';
import type { StackDescription, StackPort, StackRequest, TargetAccount } from '../ports';
import { TEMPLATE_EXPIRY_DAYS, templateLocation, type TemplateLocation } from '../template-bucket';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isAccessDenied, isThrottling } from './aws-errors';

/** Stage templates create the ECS task and execution roles. */
const CAPABILITIES: Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

const clients = new BoundedCache<CloudFormationClient>(MAX_CACHED);

const cloudFormation = (target: TargetAccount) =>
  customerClient(clients, target, (config) => new CloudFormationClient(config));

const s3Clients = new BoundedCache<S3Client>(MAX_CACHED);

const s3 = (target: TargetAccount) => customerClient(s3Clients, target, (config) => new S3Client(config));

/** Translates the errors the workflows act on; everything else keeps its own name and message. */
function mapped(error: unknown, stackName: string): unknown {
  if (error instanceof AlreadyExistsException)
    return new CloudError('StackExists', `stack ${stackName} already exists`);
  if (isThrottling(error))
    return new CloudError('Throttled', `CloudFormation throttled a call on ${stackName}`);
  return error;
}

async function call<T>(
  target: TargetAccount,
  stackName: string,
  run: (cfn: CloudFormationClient) => Promise<T>,
) {
  const cfn = await cloudFormation(target);
  try {
    return await run(cfn);
  } catch (error) {
    throw mapped(error, stackName);
  }
}

/**
 * CloudFormation reports a missing stack as a plain `ValidationError` (no dedicated exception
 * class), and the only other ValidationError a single-name lookup can get is a malformed name,
 * which cannot exist either. So, without reading the message, any ValidationError from a lookup by
 * name means "no such stack".
 */
const isMissingStack = (error: unknown) => error instanceof Error && error.name === 'ValidationError';

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

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
async function uploadTemplate(target: TargetAccount, request: StackRequest): Promise<string> {
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

/** Templates go by URL (up to 1 MB), never inline (51,200 bytes): see src/cloud/template-bucket.ts. */
const stackInput = (request: StackRequest, templateUrl: string) => ({
  StackName: request.stackName,
  TemplateURL: templateUrl,
  Tags: tagList(request.tags),
  Capabilities: CAPABILITIES,
  ClientRequestToken: request.clientRequestToken,
});

export const stacks: StackPort = {
  async create(target, request) {
    const templateUrl = await uploadTemplate(target, request);
    return call(target, request.stackName, async (cfn) => {
      // A failed create rolls back to ROLLBACK_COMPLETE, which the workflow deletes and reports.
      const out = await cfn.send(
        new CreateStackCommand({ ...stackInput(request, templateUrl), OnFailure: 'ROLLBACK' }),
      );
      return { stackId: out.StackId ?? '' };
    });
  },

  async update(target, request) {
    const templateUrl = await uploadTemplate(target, request);
    return call(target, request.stackName, async (cfn) => {
      await cfn.send(new UpdateStackCommand(stackInput(request, templateUrl)));
    });
  },

  delete(target, stackName, clientRequestToken) {
    return call(target, stackName, async (cfn) => {
      await cfn.send(
        new DeleteStackCommand({ StackName: stackName, ClientRequestToken: clientRequestToken }),
      );
    });
  },

  continueUpdateRollback(target, stackName, clientRequestToken) {
    return call(target, stackName, async (cfn) => {
      await cfn.send(
        new ContinueUpdateRollbackCommand({ StackName: stackName, ClientRequestToken: clientRequestToken }),
      );
    });
  },

  describe(target, stackName) {
    return call(target, stackName, async (cfn): Promise<StackDescription | undefined> => {
      try {
        const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = out.Stacks?.[0];
        return stack ? stackDescription(stack) : undefined;
      } catch (error) {
        if (isMissingStack(error)) return undefined;
        throw error;
      }
    });
  },

  listEvents(target, stackName, nextToken) {
    return call(target, stackName, async (cfn) => {
      try {
        const out = await cfn.send(
          new DescribeStackEventsCommand({ StackName: stackName, NextToken: nextToken }),
        );
        const events = (out.StackEvents ?? []).map((e) => stackEvent(e, stackName));
        return { events, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
      } catch (error) {
        // Same reasoning as describe: a stack that was never created has no events yet.
        if (isMissingStack(error)) return { events: [] };
        throw error;
      }
    });
  },
};
