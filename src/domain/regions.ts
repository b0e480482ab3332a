import { partition } from '@aws-sdk/core/client';

/**
 * AWS regions as the AWS SDK knows them: its partition data (partitions.json, shipped in
 * @aws-sdk/core and updated with every SDK release) lists each region of each partition. No list
 * is kept here: a new region is known as soon as the SDK is upgraded.
 */

/** Region names; also keeps out the SDK's pseudo-regions (`aws-global`, `aws-cn-global`, …). */
const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

export interface RegionInfo {
  region: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, …: accounts and roles of one partition cannot reach another. */
  partition: string;
  /** "Europe (Ireland)". */
  description: string;
  /** The domain its endpoints live under: amazonaws.com, amazonaws.com.cn, … */
  dnsSuffix: string;
}

/**
 * The region's entry in the SDK's partition data, or undefined when the SDK lists no such region.
 * The SDK's `partition()` also matches unknown names by pattern (so that new regions work before
 * an upgrade); only a listed region comes back with its own description, which is what tells them
 * apart (a unit test pins that behaviour).
 */
export function regionInfo(region: string): RegionInfo | undefined {
  if (!REGION_SHAPE.test(region)) return undefined;
  const found = partition(region) as ReturnType<typeof partition> & { description?: string };
  if (!found.description) return undefined;
  return { region, partition: found.name, description: found.description, dnsSuffix: found.dnsSuffix };
}

export const isKnownRegion = (region: string): boolean => regionInfo(region) !== undefined;

/** `arn:aws-cn:iam::…` → `aws-cn`. */
export const partitionOfArn = (arn: string): string => arn.split(':')[1] ?? '';

/** The 12-digit account of an ARN: `arn:aws:iam::444455556666:role/x` → `444455556666`. */
export const accountOfArn = (arn: string): string => arn.split(':')[4] ?? '';
