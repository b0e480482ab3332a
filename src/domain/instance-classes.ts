import data from './data/instance-classes.json' with { type: 'json' };
import type { Engine } from './database';

/**
 * The instance classes each engine runs on, per region: RDS classes for Postgres and MySQL,
 * ElastiCache node types for Redis. Generated from the enums cfn-lint builds from the AWS Pricing
 * API (scripts/aws-data/instance-classes.ts); each region is a bitmask over the engine's classes.
 */
interface EngineClasses {
  classes: string[];
  regions: Record<string, string>;
}

const byEngine: Record<Engine, EngineClasses> = {
  postgres: data.postgres,
  mysql: data.mysql,
  redis: data.redis,
};

const decoded = new Map<string, Buffer>();
function mask(engine: Engine, region: string): Buffer | undefined {
  const encoded = byEngine[engine].regions[region];
  if (encoded === undefined) return undefined;
  let bits = decoded.get(`${engine}|${region}`);
  if (!bits) {
    bits = Buffer.from(encoded, 'base64url');
    decoded.set(`${engine}|${region}`, bits);
  }
  return bits;
}

/** `db.m7g.large` → `db.m7g`. */
export const familyOf = (instanceClass: string): string => instanceClass.split('.').slice(0, 2).join('.');

/** The engine's classes offered in the region; where the data has no such region, every class it knows. */
export function classesInRegion(engine: Engine, region: string): string[] {
  const { classes } = byEngine[engine];
  const bits = mask(engine, region);
  if (!bits) return classes;
  return classes.filter((_, i) => ((bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0);
}

export type ClassOffer = 'offered' | 'not-in-region' | 'unknown';

/** Whether the engine runs on the class in the region, on it elsewhere only, or on no such class at all. */
export function instanceClassOffer(engine: Engine, instanceClass: string, region: string): ClassOffer {
  if (!byEngine[engine].classes.includes(instanceClass)) return 'unknown';
  return classesInRegion(engine, region).includes(instanceClass) ? 'offered' : 'not-in-region';
}
