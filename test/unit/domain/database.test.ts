import { tunnels } from '../../../src/domain/bastion';
import {
  assertReplicable,
  databaseWiring,
  MAX_STORAGE_GB,
  type Database,
} from '../../../src/domain/database';
import { applyDatabaseUpdate, databaseSizes } from '../../../src/domain/database-sizes';
import { classesInRegion } from '../../../src/domain/instance-classes';
import regionServices from '../../../src/domain/data/region-services.json' with { type: 'json' };
import { addDatabaseBody, stageDatabaseOption } from '../../../src/domain/input/database';
import { domainErrorOf } from '../../support/domain-errors';
import { bastionBody } from '../../../src/domain/input/bastion';

function aDatabase(overrides: Partial<Database> = {}): Database {
  return {
    tenantId: 'acme',
    stackId: 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n',
    stageName: 'dev',
    engine: 'postgres',
    mode: 'managed',
    status: 'AVAILABLE',
    instanceClass: 'db.t4g.micro',
    storageGb: 20,
    passwordVersion: 1,
    host: 'pg.example',
    port: 5432,
    databaseName: 'app',
    secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/pg-AbCdEf',
    lastOperationId: 'op_1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A class us-east-1 offers the engine and some other region does not. */
function classMissingSomewhere(engine: 'postgres'): [string, string] {
  const everywhere = classesInRegion(engine, 'us-east-1');
  for (const region of regionServices.regions) {
    const missing = everywhere.find((name) => !classesInRegion(engine, region).includes(name));
    if (missing) return [missing, region];
  }
  throw new Error('every region offers every class');
}

const errorOf = domainErrorOf;

describe('database rules', () => {
  test.each([
    ['postgres', { instanceClass: 'db.t4g.micro', storageGb: 20 }],
    ['mysql', { instanceClass: 'db.t4g.micro', storageGb: 20 }],
    ['redis', { instanceClass: 'cache.t4g.micro', storageGb: undefined }],
  ] as const)('%s defaults', (engine, expected) => {
    // Prepare / Act
    const sizes = databaseSizes({ engine }, 'us-east-1');

    // Assess
    expect(sizes).toEqual(expected);
  });

  test.each([
    [{ engine: 'redis', storageGb: 30 }, 'storageGb'],
    [{ engine: 'redis', instanceClass: 'db.t4g.micro' }, 'instanceClass'],
    [{ engine: 'postgres', instanceClass: 'cache.t4g.micro' }, 'instanceClass'],
  ] as const)('%j is refused on %s', (body, field) => {
    // Act
    const error = errorOf(() => databaseSizes(body, 'us-east-1'));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field } });
  });

  test('storage only grows; Redis has none; an existing database is not ours to size; a replica has its source’s', () => {
    // Act / Assess
    expect(applyDatabaseUpdate(aDatabase(), { storageGb: 30 }, 'us-east-1')).toEqual({
      instanceClass: 'db.t4g.micro',
      storageGb: 30,
    });
    expect(
      errorOf(() => applyDatabaseUpdate(aDatabase({ storageGb: 50 }), { storageGb: 30 }, 'us-east-1')),
    ).toMatchObject({ status: 400, details: { field: 'storageGb' } });
    expect(
      errorOf(() => applyDatabaseUpdate(aDatabase({ engine: 'redis' }), { storageGb: 30 }, 'us-east-1'))
        .status,
    ).toBe(400);
    expect(
      errorOf(() => applyDatabaseUpdate(aDatabase({ mode: 'existing' }), { storageGb: 30 }, 'us-east-1'))
        .status,
    ).toBe(409);
    expect(
      errorOf(() => applyDatabaseUpdate(aDatabase({ mode: 'replica' }), { storageGb: 30 }, 'us-east-1'))
        .status,
    ).toBe(400);
  });

  test.each([
    [20, 21, 22],
    [100, 109, 110],
    [101, 111, 112],
    [1000, 1099, 1100],
  ])('from %i GiB, %i is under RDS’s 10 %% minimum increase and %i is not', (current, tooSmall, enough) => {
    // Prepare
    const db = aDatabase({ storageGb: current });

    // Act
    const refused = errorOf(() => applyDatabaseUpdate(db, { storageGb: tooSmall }, 'us-east-1'));
    const accepted = applyDatabaseUpdate(db, { storageGb: enough }, 'us-east-1');

    // Assess
    expect(refused).toMatchObject({ status: 400, details: { field: 'storageGb' } });
    expect(refused.message).toContain(`at least ${enough}`);
    expect(accepted.storageGb).toBe(enough);
  });

  test('a storage change within six hours of the last one is a 409 that says when it can be made', () => {
    // Prepare
    const db = aDatabase({ storageGb: 20, storageChangedAt: '2026-03-01T10:00:00.000Z' });

    // Act
    const early = errorOf(() =>
      applyDatabaseUpdate(db, { storageGb: 30 }, 'us-east-1', new Date('2026-03-01T15:59:59.000Z')),
    );
    const later = applyDatabaseUpdate(
      db,
      { storageGb: 30 },
      'us-east-1',
      new Date('2026-03-01T16:00:00.000Z'),
    );
    const classOnly = applyDatabaseUpdate(
      db,
      { instanceClass: 'db.t4g.small' },
      'us-east-1',
      new Date('2026-03-01T10:00:01.000Z'),
    );

    // Assess
    expect(early).toMatchObject({
      status: 409,
      details: { field: 'storageGb', retryAfter: '2026-03-01T16:00:00.000Z' },
    });
    expect(early.message).toMatch(/six hours/);
    expect(later.storageGb).toBe(30);
    expect(classOnly).toEqual({ instanceClass: 'db.t4g.small', storageGb: 20 });
  });

  test('storage stays within what RDS allows the engine (64 TiB)', () => {
    // Prepare
    const body = addDatabaseBody.safeParse({ engine: 'postgres', storageGb: MAX_STORAGE_GB + 1 });

    // Act
    const accepted = addDatabaseBody.safeParse({ engine: 'postgres', storageGb: MAX_STORAGE_GB });

    // Assess
    expect(MAX_STORAGE_GB).toBe(65536);
    expect(body.success).toBe(false);
    expect(accepted.success).toBe(true);
  });

  test.each([
    ['postgres', 'db.zz9.mega', 'has no instance class db.zz9.mega'],
    ['mysql', 'db.t4g.mega', 'the db.t4g family has db.t4g.2xlarge'],
    ['redis', 'cache.zz9.mega', 'has no instance class cache.zz9.mega'],
  ] as const)('%s refuses %s, naming instanceClass and saying why', (engine, instanceClass, why) => {
    // Act
    const error = errorOf(() => databaseSizes({ engine, instanceClass }, 'us-east-1'));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field: 'instanceClass' } });
    expect(error.message).toContain(why);
  });

  test('a class the engine runs on elsewhere but not in the region is refused for that region', () => {
    // Prepare: the first Postgres class that some region lacks
    const [instanceClass, region] = classMissingSomewhere('postgres');

    // Act
    const error = errorOf(() => databaseSizes({ engine: 'postgres', instanceClass }, region));

    // Assess
    expect(error.message).toContain(`does not offer ${instanceClass} in ${region}`);
    expect(() => databaseSizes({ engine: 'postgres', instanceClass }, 'us-east-1')).not.toThrow();
  });

  test.each(['db.t4g.micro', 'db.m7g.large', 'db.r6g.xlarge'])(
    'Postgres and MySQL run on %s',
    (instanceClass) => {
      // Act / Assess
      expect(() => databaseSizes({ engine: 'postgres', instanceClass }, 'eu-west-1')).not.toThrow();
      expect(() => databaseSizes({ engine: 'mysql', instanceClass }, 'eu-west-1')).not.toThrow();
    },
  );

  test('Redis has no read replica, and the 400 says why', () => {
    // Act
    const error = errorOf(() => assertReplicable('redis', 'database.readReplicaOf.engine'));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field: 'database.readReplicaOf.engine' } });
    expect(error.message).toMatch(/only available for postgres and mysql/);
    expect(() => assertReplicable('mysql', 'x')).not.toThrow();
  });

  test('schemas: a new, an existing or a replica database; unknown fields and engines are refused', () => {
    // Act / Assess
    expect(stageDatabaseOption.safeParse({ engine: 'postgres' }).success).toBe(true);
    expect(stageDatabaseOption.safeParse({ readReplicaOf: { stage: 'dev', engine: 'mysql' } }).success).toBe(
      true,
    );
    expect(
      addDatabaseBody.safeParse({
        engine: 'mysql',
        existing: {
          host: 'db.example.com',
          port: 3306,
          database: 'shop',
          secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf',
        },
      }).success,
    ).toBe(true);
    expect(addDatabaseBody.safeParse({ engine: 'oracle' }).success).toBe(false);
    expect(addDatabaseBody.safeParse({ engine: 'postgres', colour: 'blue' }).success).toBe(false);
    expect(addDatabaseBody.safeParse({ engine: 'postgres', storageGb: 10 }).success).toBe(false);
    expect(bastionBody.safeParse({ allowedCidrs: [] }).success).toBe(false);
    expect(bastionBody.safeParse({ allowedCidrs: ['10.0.0.1'] }).success).toBe(false);
    expect(bastionBody.safeParse({ allowedCidrs: ['203.0.113.7/32'] }).success).toBe(true);
  });
});

describe('databaseWiring', () => {
  test('each available database gives its four variables; the password only as a Secrets entry', () => {
    // Prepare
    const databases = [
      aDatabase(),
      aDatabase({
        engine: 'redis',
        host: 'redis.example',
        port: 6379,
        databaseName: '0',
        secretArn: 'arn:redis',
      }),
      aDatabase({ engine: 'mysql', status: 'CREATING' }),
    ];

    // Act
    const wiring = databaseWiring(databases);

    // Assess
    expect(wiring.environment).toEqual({
      PG_HOST: 'pg.example',
      PG_PORT: '5432',
      PG_DATABASE: 'app',
      REDIS_HOST: 'redis.example',
      REDIS_PORT: '6379',
      REDIS_DATABASE: '0',
    });
    expect(wiring.secrets).toEqual({
      PG_CREDENTIALS_SECRET: `${databases[0]!.secretArn}:password::`,
      REDIS_CREDENTIALS_SECRET: 'arn:redis:password::',
    });
    expect(wiring.secretArns).toEqual([databases[0]!.secretArn, 'arn:redis']);
  });

  test('a replica: READER variables for itself, the usual ones (and secret) for its writer', () => {
    // Prepare
    const replica = aDatabase({
      mode: 'replica',
      host: 'replica.eu-west-1.rds.amazonaws.com',
      secretArn: undefined,
      replicaOf: {
        stageName: 'dev',
        engine: 'postgres',
        region: 'us-east-1',
        sourceArn: 'arn:aws:rds:us-east-1:123456789012:db:src',
        writerHost: 'src.us-east-1.rds.amazonaws.com',
        writerPort: 5432,
        writerSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/pg-AbCdEf',
      },
    });

    // Act
    const wiring = databaseWiring([replica]);

    // Assess
    expect(wiring.environment).toEqual({
      PG_READER_HOST: 'replica.eu-west-1.rds.amazonaws.com',
      PG_READER_PORT: '5432',
      PG_HOST: 'src.us-east-1.rds.amazonaws.com',
      PG_PORT: '5432',
      PG_DATABASE: 'app',
    });
    expect(wiring.secrets).toEqual({
      PG_CREDENTIALS_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/pg-AbCdEf:password::',
    });
  });
});

describe('tunnels', () => {
  test('one command per database with the engine’s port; existing databases are not behind the bastion', () => {
    // Prepare
    const databases = [
      aDatabase({ engine: 'redis', host: 'r.example', port: 6379 }),
      aDatabase({ engine: 'mysql', host: 'm.example', port: 3306 }),
      aDatabase(),
      aDatabase({ engine: 'mysql', mode: 'existing', host: 'legacy.example' }),
    ];

    // Act
    const commands = tunnels('ec2-3-1-2-3.compute-1.amazonaws.com', databases).map((t) => t.command);

    // Assess
    expect(commands).toEqual([
      'ssh -i bastion.pem -f -N -L 3306:m.example:3306 ec2-user@ec2-3-1-2-3.compute-1.amazonaws.com',
      'ssh -i bastion.pem -f -N -L 5432:pg.example:5432 ec2-user@ec2-3-1-2-3.compute-1.amazonaws.com',
      'ssh -i bastion.pem -f -N -L 6379:r.example:6379 ec2-user@ec2-3-1-2-3.compute-1.amazonaws.com',
    ]);
  });
});
