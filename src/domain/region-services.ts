import data from './data/region-services.json' with { type: 'json' };
import { badRequest } from './errors';
import { regionInfo } from './regions';

/**
 * What each region offers of what TinyStacks builds: generated from cfn-lint's per-region lists of
 * CloudFormation resource types (scripts/aws-data/region-services.ts), for the types our templates
 * declare, by the feature that declares them.
 */
export type RegionFeature = keyof typeof data.features;

const FEATURE_NAMES: Record<RegionFeature, string> = {
  stage: "the stage's service",
  stageWithLoadBalancer: "the stage's service and load balancer",
  autoscaling: "the stage's autoscaling",
  rollbackAlarms: "the stage's rollback alarms",
  postgres: 'a Postgres database',
  mysql: 'a MySQL database',
  redis: 'a Redis database',
  bastion: 'a bastion host',
  pipeline: "the stack's build pipeline",
};

const unavailable: Record<string, string[] | undefined> = data.unavailable;

/** `AWS::CodeStarConnections::Connection` → `CodeStarConnections`: the service, as CloudFormation names it. */
const serviceOf = (type: string) => type.split('::')[1] ?? type;

/** The resource types the features need that CloudFormation does not offer in the region. */
export function missingInRegion(region: string, features: RegionFeature[]): string[] {
  const needed = new Set(features.flatMap((feature) => data.features[feature]));
  return [...needed].filter((type) => unavailable[type]?.includes(region)).sort();
}

/**
 * Refuses, as a 400 naming the field, a region TinyStacks cannot build the features in: one of
 * another partition than the platform's (a role there cannot be assumed from here), one the data
 * does not cover, or one that lacks a service a feature needs (CodeStar Connections is missing in
 * about twenty regions, and the build pipeline uses it).
 */
export function assertRegionServes(
  region: string,
  features: RegionFeature[],
  options: { field?: string; platformPartition?: string } = {},
): void {
  const field = options.field ?? 'region';
  const info = regionInfo(region);
  if (!info) throw badRequest(field, `${field}: ${region} is not an AWS region the AWS SDK lists`);
  if (options.platformPartition && info.partition !== options.platformPartition) {
    throw badRequest(
      field,
      `${field}: ${region} is in the ${info.partition} partition; TinyStacks runs in ${options.platformPartition}, whose roles cannot reach accounts of another partition`,
    );
  }
  if (!data.regions.includes(region)) {
    throw badRequest(
      field,
      `${field}: TinyStacks does not know yet which services ${region} (${info.description}) offers`,
    );
  }
  const missing = missingInRegion(region, features);
  if (missing.length > 0) {
    const needers = features.filter((feature) => data.features[feature].some((t) => missing.includes(t)));
    const what = needers.map((feature) => FEATURE_NAMES[feature]).join(' and ');
    const services = [...new Set(missing.map(serviceOf))].join(', ');
    throw badRequest(
      field,
      `${field}: ${region} (${info.description}) does not offer ${services}, which ${what} ${needers.length > 1 ? 'need' : 'needs'} (${missing.join(', ')})`,
    );
  }
}
