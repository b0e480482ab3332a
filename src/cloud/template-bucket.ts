import { TEMPLATE_BUCKET_PREFIX } from '../domain/customer-role';
import { accountOfArn, regionInfo } from '../domain/regions';
import type { TargetAccount } from './ports';

/**
 * Where stack templates go before CloudFormation reads them. CloudFormation takes at most 51,200
 * bytes inline (`TemplateBody`) but 1 MB from S3 (`TemplateURL`), and it fetches the URL with the
 * caller's own permissions: so each template is put in a bucket of the customer's account, in the
 * stack's region, by the customer's role, which then reads it back when it creates or updates the
 * stack. No bucket policy and nothing public; templates (which hold the stage's variables) never
 * leave the customer's account or region. Both the AWS adapter and the embedded runtime's S3
 * stand-in use these names.
 */

/** CloudFormation reads the template during the call and keeps its own copy: a day is plenty. */
export const TEMPLATE_EXPIRY_DAYS = 1;

/** One bucket per customer account and region (bucket names are global, hence both in the name). */
export const templateBucketName = (accountId: string, region: string): string =>
  `${TEMPLATE_BUCKET_PREFIX}${accountId}-${region}`;

export interface TemplateLocation {
  /** The customer's account: the only owner the bucket may have (`ExpectedBucketOwner`). */
  accountId: string;
  bucket: string;
  key: string;
  /** Virtual-hosted style, https, the region's own endpoint: what CloudFormation accepts. */
  url: string;
}

/** One object per stack and CloudFormation call token, so a retried call puts the same object. */
export function templateLocation(
  target: Pick<TargetAccount, 'roleArn' | 'region'>,
  stackName: string,
  clientRequestToken: string,
): TemplateLocation {
  const accountId = accountOfArn(target.roleArn);
  const bucket = templateBucketName(accountId, target.region);
  const key = `${stackName}/${clientRequestToken}.json`;
  const dnsSuffix = regionInfo(target.region)?.dnsSuffix ?? 'amazonaws.com';
  return { accountId, bucket, key, url: `https://${bucket}.s3.${target.region}.${dnsSuffix}/${key}` };
}

/** `https://<bucket>.s3.<region>.<suffix>/<key>` → bucket and key; undefined for any other URL. */
export function parseTemplateUrl(url: string): { bucket: string; key: string } | undefined {
  const match = /^https:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3\.[a-z0-9-]+\.[a-z0-9.]+\/(.+)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}
