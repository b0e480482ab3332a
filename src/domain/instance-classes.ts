import data from './data/instance-classes.json' with { type: 'json' };
import type { Engine } from './database';

/**
 * The instance classes each engine runs on, per region: RDS classes for Postgres and MySQL,
 * ElastiCache node types for Redis. Generated from the enums cfn-lint builds from the AWS Pricing
 * API (scripts/aws-data/instance-classes.ts); each region is a bitmask over the engine's classes.
 */

/** `db.m5:large,xlarge db.m6g:large` → `db.m5.large`, `db.m5.xlarge`, `db.m6g.large`, in that order. */
const ungrouped = (grouped: string): string[] =>
  grouped.split(' ').flatMap((group) => {
    const [family, sizes] = group.split(':');
    return sizes!.split(',').map((size) => `${family}.${size}`);
  });

const rdsClasses = ungrouped(data.rdsClasses);
const classesOf: Record<Engine, string[]> = {
  postgres: rdsClasses,
  mysql: rdsClasses,
  redis: ungrouped(data.cacheClasses),
};

/** The engine's bitmask for the region, or undefined where the data has no such region. */
function mask(engine: Engine, region: string): Buffer | undefined {
  const index = data[engine][data.regions.indexOf(region)] ?? -1;
  return index < 0 ? undefined : Buffer.from(data.masks[index]!, 'base64url');
}

/** `db.m7g.large` → `db.m7g`. */
export const familyOf = (instanceClass: string): string => instanceClass.split('.').slice(0, 2).join('.');

const anywhere = new Map<Engine, Set<string>>();
/** Every class some region offers the engine. */
function offeredAnywhere(engine: Engine): Set<string> {
  let offered = anywhere.get(engine);
  if (!offered) {
    offered = new Set(
      data.regions.flatMap((region) => (mask(engine, region) ? classesInRegion(engine, region) : [])),
    );
    anywhere.set(engine, offered);
  }
  return offered;
}

/** The engine's classes in the region; where the data has no such region, all it has in any region. */
export function classesInRegion(engine: Engine, region: string): string[] {
  const classes = classesOf[engine];
  const bits = mask(engine, region);
  if (!bits) return classes.filter((name) => offeredAnywhere(engine).has(name));
  return classes.filter((_, i) => ((bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0);
}

export type ClassOffer = 'offered' | 'not-in-region' | 'unknown';

/** Whether the engine runs on the class in the region, on it elsewhere only, or on no such class at all. */
export function instanceClassOffer(engine: Engine, instanceClass: string, region: string): ClassOffer {
  if (!offeredAnywhere(engine).has(instanceClass)) return 'unknown';
  return classesInRegion(engine, region).includes(instanceClass) ? 'offered' : 'not-in-region';
}
