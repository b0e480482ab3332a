import {
  CACHE_NODE_TYPE,
  ENGINE_SPECS,
  MIN_STORAGE_GROWTH,
  RDS_INSTANCE_CLASS,
  STORAGE_CHANGE_INTERVAL_MS,
  type Database,
  type Engine,
} from './database';
import { badRequest, conflict } from './errors';
import type { AddDatabaseBody, UpdateDatabaseBody } from './input/database';
import { classesInRegion, familyOf, instanceClassOffer } from './instance-classes';

/**
 * The sizes of a database: its instance class (one the engine runs on in the region) and its
 * storage (as RDS lets it grow), for a new database and for a change.
 */

/**
 * Fills in the defaults of a new managed database and checks that the sizes fit the engine in the
 * region where the database goes.
 */
export function databaseSizes(
  body: Pick<AddDatabaseBody, 'engine' | 'instanceClass' | 'storageGb'>,
  region: string,
) {
  const spec = ENGINE_SPECS[body.engine];
  if (body.engine === 'redis' && body.storageGb !== undefined) {
    throw badRequest('storageGb', 'storageGb: Redis keeps its data in memory and has no storage to size');
  }
  const instanceClass = body.instanceClass ?? spec.defaultInstanceClass;
  assertInstanceClassFits(body.engine, instanceClass, region);
  return {
    instanceClass,
    storageGb: body.engine === 'redis' ? undefined : (body.storageGb ?? spec.defaultStorageGb),
  };
}

/**
 * The class must be one the engine runs on (src/domain/instance-classes.ts, from the AWS Pricing
 * API's data), in the region: `db.zz9.mega` is refused, and so is a class the region lacks.
 */
export function assertInstanceClassFits(
  value: Engine,
  instanceClass: string,
  region: string,
  field = 'instanceClass',
): void {
  const pattern = value === 'redis' ? CACHE_NODE_TYPE : RDS_INSTANCE_CLASS;
  if (!pattern.test(instanceClass)) {
    throw badRequest(
      field,
      value === 'redis'
        ? `${field}: Redis needs an ElastiCache node type such as cache.t4g.micro`
        : `${field}: ${value} needs an RDS instance class such as db.t4g.micro`,
    );
  }
  const offer = instanceClassOffer(value, instanceClass, region);
  if (offer === 'offered') return;
  const family = familyOf(instanceClass);
  const sizes = classesInRegion(value, region).filter((name) => familyOf(name) === family);
  const service = value === 'redis' ? 'ElastiCache for Redis' : `RDS for ${value}`;
  const reason =
    offer === 'not-in-region'
      ? `${service} does not offer ${instanceClass} in ${region}`
      : `${service} has no instance class ${instanceClass}`;
  const hint =
    sizes.length > 0
      ? `: in ${region} the ${family} family has ${sizes.join(', ')}`
      : ` such as ${ENGINE_SPECS[value].defaultInstanceClass}`;
  throw badRequest(field, `${field}: ${reason}; choose one it does${hint}`);
}

/** RDS's smallest allowed increase: 10 % of the current size, rounded up to a whole GiB. */
export const minimumStorageIncrease = (currentGb: number): number =>
  currentGb + Math.ceil(currentGb * MIN_STORAGE_GROWTH);

/**
 * RDS's rules for a change of allocated storage: it only grows, by at least 10 %, within the
 * engine's maximum, and not within six hours of the last change. The wait is a 409 (the request is
 * right, the database's state says "not yet"), with the time it can be made again.
 */
function assertStorageChange(current: Database, storageGb: number, now: Date): void {
  const currentGb = current.storageGb ?? 0;
  if (storageGb < currentGb) {
    throw badRequest(
      'storageGb',
      `storageGb: storage only grows (RDS cannot shrink it): at least ${currentGb}`,
    );
  }
  const minimum = minimumStorageIncrease(currentGb);
  if (storageGb < minimum) {
    throw badRequest(
      'storageGb',
      `storageGb: RDS grows storage by at least 10 % at a time: from ${currentGb} GiB, at least ${minimum}`,
    );
  }
  if (current.storageChangedAt) {
    const allowedAt = new Date(Date.parse(current.storageChangedAt) + STORAGE_CHANGE_INTERVAL_MS);
    if (now < allowedAt) {
      throw conflict(
        `storageGb: RDS allows one storage change every six hours; the last one ended ${current.storageChangedAt}, the next can be made from ${allowedAt.toISOString()}`,
        { field: 'storageGb', retryAfter: allowedAt.toISOString() },
      );
    }
  }
}

/**
 * A PATCH: storage only grows, as RDS allows (assertStorageChange), Redis has none, existing
 * databases are not ours. `region` is the database's (its stage's).
 */
export function applyDatabaseUpdate(
  current: Database,
  patch: UpdateDatabaseBody,
  region: string,
  now: Date = new Date(),
) {
  if (current.mode === 'existing') {
    throw conflict(`the ${current.engine} database is an existing one: TinyStacks does not manage its size`);
  }
  if (current.mode === 'replica' && patch.storageGb !== undefined) {
    throw badRequest('storageGb', 'storageGb: a read replica takes its storage from its source');
  }
  if (current.engine === 'redis' && patch.storageGb !== undefined) {
    throw badRequest('storageGb', 'storageGb: Redis keeps its data in memory and has no storage to size');
  }
  if (patch.storageGb !== undefined && patch.storageGb !== current.storageGb) {
    assertStorageChange(current, patch.storageGb, now);
  }
  const instanceClass = patch.instanceClass ?? current.instanceClass;
  if (patch.instanceClass) assertInstanceClassFits(current.engine, patch.instanceClass, region);
  return { instanceClass, storageGb: patch.storageGb ?? current.storageGb };
}
