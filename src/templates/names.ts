import { createHash } from 'node:crypto';

/** ALB and target group names are capped at 32 characters by Elastic Load Balancing. */
export const ELB_NAME_MAX_LENGTH = 32;

/** Prefix of the names given to a stage's resources, so they are recognisable in the customer's console. */
export function resourcePrefix(stackId: string, stageName: string): string {
  return `ts-${stackId}-${stageName}`;
}

/** Lower-case DNS label form of the prefix, for names that must be valid host names. */
export function dnsPrefix(stackId: string, stageName: string): string {
  return resourcePrefix(stackId, stageName)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
}

export function shortHash(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 8);
}

/**
 * A name under the ELB limit that stays unique per account and region: the stack id is too long to
 * fit, so it is folded into a hash; the stage name is kept so the name still reads in the console.
 */
export function elbName(stageName: string, ...hashed: (string | number)[]): string {
  const suffix = `-${shortHash(...hashed)}`;
  return `ts-${stageName}`.slice(0, ELB_NAME_MAX_LENGTH - suffix.length) + suffix;
}
