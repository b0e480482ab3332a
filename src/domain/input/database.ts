import * as z from 'zod/mini';
import { ENGINES, MAX_STORAGE_GB, MIN_STORAGE_GB, RDS_INSTANCE_CLASS } from '../database';
import { port, stageName } from './fields';

export const engine = z.enum(ENGINES, 'must be postgres, mysql or redis');

const rdsInstanceClass = z
  .string()
  .check(z.regex(RDS_INSTANCE_CLASS, 'must be an RDS instance class such as db.t4g.micro'));

const instanceClass = z
  .string()
  .check(
    z.regex(
      /^(db|cache)\.[a-z0-9]+\.[a-z0-9]+$/,
      'must be an instance class such as db.t4g.micro (RDS) or cache.t4g.micro (Redis)',
    ),
  );

const storageGb = z
  .int('must be an integer')
  .check(
    z.minimum(MIN_STORAGE_GB, `must be at least ${MIN_STORAGE_GB}`),
    z.maximum(MAX_STORAGE_GB, `must be at most ${MAX_STORAGE_GB}`),
  );

const hostName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/,
      'must be a host name or IPv4 address',
    ),
    z.maxLength(253, 'must be at most 253 characters'),
  );

const secretArn = z
  .string()
  .check(
    z.regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/,
      'must be a Secrets Manager secret ARN',
    ),
  );

export const existingDatabase = z.strictObject({
  host: hostName,
  port,
  database: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'is too long')),
  secretArn,
});
export type ExistingDatabase = z.infer<typeof existingDatabase>;

/** `POST .../databases`: a new database, or one the customer already runs (no infrastructure). */
export const addDatabaseBody = z.strictObject({
  engine,
  instanceClass: z.optional(instanceClass),
  storageGb: z.optional(storageGb),
  existing: z.optional(existingDatabase),
});
export type AddDatabaseBody = z.infer<typeof addDatabaseBody>;

export const updateDatabaseBody = z
  .strictObject({ instanceClass: z.optional(instanceClass), storageGb: z.optional(storageGb) })
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change instanceClass or storageGb'));
export type UpdateDatabaseBody = z.infer<typeof updateDatabaseBody>;

export const replicaSource = z.strictObject({ stage: stageName, engine });
export type ReplicaSource = z.infer<typeof replicaSource>;

/** `database` on `POST .../stages`: a database of its own, or a read replica of another stage's. */
export const stageDatabaseOption = z.union([
  z.strictObject({ readReplicaOf: replicaSource, instanceClass: z.optional(rdsInstanceClass) }),
  addDatabaseBody,
]);
export type StageDatabaseOption = z.infer<typeof stageDatabaseOption>;
