import type { TargetAccount, TemplatePort } from '../cloud/ports';
import { parseTemplateUrl, TEMPLATE_EXPIRY_DAYS, templateLocation } from '../cloud/template-bucket';

/** Named like S3's errors, which is what the adapters match on. */
class S3Error extends Error {
  constructor(name: 'NoSuchBucket' | 'BucketAlreadyExists' | 'AccessDenied', message: string) {
    super(message);
    this.name = name;
  }
}

interface StoredObject {
  body: string;
  putAt: number;
}

const EXPIRY_MS = TEMPLATE_EXPIRY_DAYS * 24 * 60 * 60 * 1000;

/**
 * The embedded runtime's S3, as far as stack templates need it: buckets with an owner, objects put
 * with an expected owner, read back by URL by the simulated CloudFormation. Objects expire after a
 * day, as the lifecycle rule on the real bucket makes them. In memory: CloudFormation reads a
 * template during the call that names it, so nothing needs to outlive a restart.
 */
export class LocalS3 implements TemplatePort {
  private readonly buckets = new Map<string, { owner: string; objects: Map<string, StoredObject> }>();

  /** The AWS adapter's steps (src/cloud/aws/templates.ts): put; on NoSuchBucket make the bucket, put again. */
  async put(target: TargetAccount, request: Parameters<TemplatePort['put']>[1]): Promise<string> {
    const location = templateLocation(target, request.stackName, request.clientRequestToken);
    const put = () =>
      this.putObject({
        bucket: location.bucket,
        key: location.key,
        body: request.templateBody,
        expectedOwner: location.accountId,
      });
    try {
      put();
    } catch (error) {
      if (!(error instanceof S3Error && error.name === 'NoSuchBucket')) throw error;
      this.createBucket(location.bucket, location.accountId);
      put();
    }
    return location.url;
  }

  createBucket(bucket: string, owner: string): void {
    const existing = this.buckets.get(bucket);
    if (existing && existing.owner !== owner) {
      throw new S3Error('BucketAlreadyExists', `The requested bucket name ${bucket} is not available`);
    }
    if (!existing) this.buckets.set(bucket, { owner, objects: new Map() });
  }

  putObject(input: { bucket: string; key: string; body: string; expectedOwner: string }): void {
    const bucket = this.buckets.get(input.bucket);
    if (!bucket) throw new S3Error('NoSuchBucket', `The specified bucket ${input.bucket} does not exist`);
    if (bucket.owner !== input.expectedOwner) throw new S3Error('AccessDenied', 'Access Denied');
    const now = Date.now();
    for (const [key, object] of bucket.objects)
      if (now - object.putAt > EXPIRY_MS) bucket.objects.delete(key);
    bucket.objects.set(input.key, { body: input.body, putAt: now });
  }

  /** What CloudFormation reads for a TemplateURL; undefined when there is no such object. */
  readUrl(url: string): string | undefined {
    const location = parseTemplateUrl(url);
    if (!location) return undefined;
    return this.buckets.get(location.bucket)?.objects.get(location.key)?.body;
  }
}
