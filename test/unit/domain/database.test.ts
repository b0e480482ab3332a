import { tunnels } from '../../../src/domain/bastion';
import {
  applyDatabaseUpdate,
  assertReplicable,
  databaseSizes,
  databaseWiring,
  type Database,
} from '../../../src/domain/database';
import { addDatabaseBody, stageDatabaseOption } from '../../../src/domain/input/database';
import { DomainError } from '../../../src/domain/errors';
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

const errorOf = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('database rules', () => {
  test.each([
    ['postgres', { instanceClass: 'db.t4g.micro', storageGb: 20 }],
    ['mysql', { instanceClass: 'db.t4g.micro', storageGb: 20 }],
    ['redis', { instanceClass: 'cache.t4g.micro', storageGb: undefined }],
  ] as const)('%s defaults', (engine, expected) => {
    // Prepare / Act
    const sizes = databaseSizes({ engine });

    // Assess
    expect(sizes).toEqual(expected);
  });

  test.each([
    [{ engine: 'redis', storageGb: 30 }, 'storageGb'],
    [{ engine: 'redis', instanceClass: 'db.t4g.micro' }, 'instanceClass'],
    [{ engine: 'postgres', instanceClass: 'cache.t4g.micro' }, 'instanceClass'],
  ] as const)('%j is refused on %s', (body, field) => {
    // Act
    const error = errorOf(() => databaseSizes(body));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field } });
  });

  test('storage only grows; Redis has none; an existing database is not ours to size; a replica has its source’s', () => {
    // Act / Assess
    expect(applyDatabaseUpdate(aDatabase(), { storageGb: 30 })).toEqual({
      instanceClass: 'db.t4g.micro',
      storageGb: 30,
    });
    expect(errorOf(() => applyDatabaseUpdate(aDatabase({ storageGb: 50 }), { storageGb: 30 }))).toMatchObject(
      {
        status: 400,
        details: { field: 'storageGb' },
      },
    );
    expect(errorOf(() => applyDatabaseUpdate(aDatabase({ engine: 'redis' }), { storageGb: 30 })).status).toBe(
      400,
    );
    expect(
      errorOf(() => applyDatabaseUpdate(aDatabase({ mode: 'existing' }), { storageGb: 30 })).status,
    ).toBe(409);
    expect(errorOf(() => applyDatabaseUpdate(aDatabase({ mode: 'replica' }), { storageGb: 30 })).status).toBe(
      400,
    );
  });

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
