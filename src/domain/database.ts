import { badRequest } from './errors';

/**
 * Databases of a stage: one Postgres, one MySQL and one Redis at most. Postgres and MySQL run on
 * RDS, Redis on ElastiCache, each in a CloudFormation stack of its own inside the stage's VPC.
 */
export const ENGINES = ['postgres', 'mysql', 'redis'] as const;
export type Engine = (typeof ENGINES)[number];

/** Engines RDS can make read replicas of; ElastiCache has no cross-region replica of a single node. */
export const REPLICABLE_ENGINES = ['postgres', 'mysql'] as const;
export type ReplicableEngine = (typeof REPLICABLE_ENGINES)[number];

export interface EngineSpec {
  port: number;
  /** The master user; Redis AUTH has no user name (the token alone authenticates). */
  username?: string;
  /** Prefix of the variables the service receives: PG_HOST, MYSQL_PORT, REDIS_DATABASE, ... */
  envPrefix: string;
  /** What <PREFIX>_DATABASE holds: the database created on the instance, or Redis's logical db. */
  databaseName: string;
  defaultInstanceClass: string;
  /** Gibibytes of gp3 storage; Redis keeps its data in memory and has none. */
  defaultStorageGb?: number;
}

export const ENGINE_SPECS: Record<Engine, EngineSpec> = {
  postgres: {
    port: 5432,
    username: 'postgres',
    envPrefix: 'PG',
    databaseName: 'app',
    defaultInstanceClass: 'db.t4g.micro',
    defaultStorageGb: 20,
  },
  mysql: {
    port: 3306,
    username: 'admin',
    envPrefix: 'MYSQL',
    databaseName: 'app',
    defaultInstanceClass: 'db.t4g.micro',
    defaultStorageGb: 20,
  },
  redis: {
    port: 6379,
    envPrefix: 'REDIS',
    databaseName: '0',
    defaultInstanceClass: 'cache.t4g.micro',
  },
};

export const RDS_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const CACHE_NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/** gp3 storage of RDS for Postgres and MySQL: 20 GiB to 64 TiB (RDS User Guide, "DB instance storage"). */
export const MIN_STORAGE_GB = 20;
export const MAX_STORAGE_GB = 65536;
/** RDS refuses a storage increase of less than 10 %: "you must increase it by at least 10 percent". */
export const MIN_STORAGE_GROWTH = 0.1;
/** After a storage change RDS refuses another for six hours (or until storage optimization ends). */
export const STORAGE_CHANGE_INTERVAL_MS = 6 * 60 * 60 * 1000;

export const DATABASE_STATUSES = ['CREATING', 'AVAILABLE', 'UPDATING', 'DELETING', 'FAILED'] as const;
export type DatabaseStatus = (typeof DATABASE_STATUSES)[number];

/** managed: built and owned here; existing: the customer's, only wired; replica: a read replica. */
export type DatabaseMode = 'managed' | 'existing' | 'replica';

export interface ReplicaOf {
  stageName: string;
  engine: ReplicableEngine;
  region: string;
  /** The source instance's ARN, which RDS needs to replicate across regions. */
  sourceArn: string;
  /** The writer's connection details; the replica stage's usual variables point at the writer. */
  writerHost: string;
  writerPort: number;
  writerSecretArn: string;
}

/**
 * A database record: what the API shows and what the stage's service is wired with. It holds the
 * secret's ARN, never its value.
 */
export interface Database {
  tenantId: string;
  stackId: string;
  stageName: string;
  engine: Engine;
  mode: DatabaseMode;
  status: DatabaseStatus;
  instanceClass?: string;
  storageGb?: number;
  /** Changes with every "Change Password": it drives a new generated secret version. */
  passwordVersion: number;
  /** The CloudFormation stack that holds it (none for an existing database). */
  cfnStackName?: string;
  host?: string;
  port: number;
  databaseName: string;
  secretArn?: string;
  /** RDS instance ARN: the source a read replica names. */
  instanceArn?: string;
  replicaOf?: ReplicaOf;
  /** Set once a replica was promoted to a standalone primary. */
  promotedAt?: string;
  /** When a change of allocated storage last succeeded: RDS allows the next one six hours later. */
  storageChangedAt?: string;
  lastOperationId: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export function isReplicable(value: Engine): value is ReplicableEngine {
  return (REPLICABLE_ENGINES as readonly string[]).includes(value);
}

/** Redis has no read replica here: say why, as a 400 on the field that asked for it. */
export function assertReplicable(value: Engine, field: string): asserts value is ReplicableEngine {
  if (!isReplicable(value)) {
    throw badRequest(
      field,
      `${field}: read replicas are only available for postgres and mysql (ElastiCache for Redis has no cross-region read replica of a single node)`,
    );
  }
}

/** The CloudFormation stack of a stage's database: `tinystacks-<stack>-<stage>-<engine>`. */
export function databaseStackName(stageCfnStackName: string, value: Engine): string {
  return `${stageCfnStackName}-${value}`;
}

/** The variable names the docs list: <PREFIX>_HOST, _PORT, _CREDENTIALS_SECRET, _DATABASE. */
export function databaseEnvNames(value: Engine) {
  const prefix = ENGINE_SPECS[value].envPrefix;
  return {
    host: `${prefix}_HOST`,
    port: `${prefix}_PORT`,
    secret: `${prefix}_CREDENTIALS_SECRET`,
    database: `${prefix}_DATABASE`,
    readerHost: `${prefix}_READER_HOST`,
    readerPort: `${prefix}_READER_PORT`,
  };
}

export interface DatabaseWiring {
  /** Plain variables: hosts, ports, database names. */
  environment: Record<string, string>;
  /** Variables ECS fills from Secrets Manager at task start: name → `valueFrom`. */
  secrets: Record<string, string>;
  /** The secrets the task execution role may read (ARNs without the JSON key suffix). */
  secretArns: string[];
}

/**
 * What the stage's service receives for its databases. Only AVAILABLE (or UPDATING) databases
 * are wired; a database being added or deleted is not. The password travels as a `secrets` entry
 * of the task definition (`<secret ARN>:password::`), never as plain text.
 */
export function databaseWiring(databases: Database[]): DatabaseWiring {
  const wiring: DatabaseWiring = { environment: {}, secrets: {}, secretArns: [] };
  const addSecret = (name: string, arn: string) => {
    wiring.secrets[name] = `${arn}:password::`;
    if (!wiring.secretArns.includes(arn)) wiring.secretArns.push(arn);
  };
  for (const db of [...databases].sort((a, b) => a.engine.localeCompare(b.engine))) {
    if (db.status !== 'AVAILABLE' && db.status !== 'UPDATING') continue;
    if (!db.host) continue;
    const names = databaseEnvNames(db.engine);
    if (db.mode === 'replica' && db.replicaOf) {
      wiring.environment[names.readerHost] = db.host;
      wiring.environment[names.readerPort] = String(db.port);
      wiring.environment[names.host] = db.replicaOf.writerHost;
      wiring.environment[names.port] = String(db.replicaOf.writerPort);
      wiring.environment[names.database] = db.databaseName;
      addSecret(names.secret, db.replicaOf.writerSecretArn);
      continue;
    }
    wiring.environment[names.host] = db.host;
    wiring.environment[names.port] = String(db.port);
    wiring.environment[names.database] = db.databaseName;
    if (db.secretArn) addSecret(names.secret, db.secretArn);
  }
  return wiring;
}

/** CloudFormation logical ids are alphanumeric: `my-stage` → `mystage`. */
export function logicalIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, '');
}
