import {
  assertUserEnvironment,
  platformEnvironment,
  reservedReason,
  serviceEnvironment,
} from '../../../src/domain/environment';
import { DomainError } from '../../../src/domain/errors';

/** The error assertUserEnvironment throws, or undefined when it accepts the variables. */
function rejectionOf(environment: Record<string, string>, field?: string): DomainError | undefined {
  try {
    assertUserEnvironment(environment, field);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('reserved variable names', () => {
  test.each([
    'PG_HOST',
    'PG_X',
    'pg_x',
    'MYSQL_PASSWORD',
    'mysql_x',
    'MySql_Host',
    'REDIS_URL',
    'redis_port',
    'TINYSTACKS_STAGE',
    'AWS_REGION',
    'aws_access_key_id',
    'ECS_CONTAINER_METADATA_URI',
    'PORT',
    'port',
    'Port',
  ])('%p is refused with a 400 naming its field', (name) => {
    // Prepare
    const environment = { APP_MODE: 'web', [name]: 'value' };

    // Act
    const error = rejectionOf(environment);

    // Assess
    expect(error).toMatchObject({
      status: 400,
      code: 'ValidationError',
      details: { field: `environment.${name}` },
    });
    expect(error?.message).toMatch(new RegExp(`^environment\\.${name} is reserved: `));
  });

  test.each([
    'DATABASE_URL',
    'NODE_ENV',
    'PGX',
    'MY_SQL',
    'REDISURL',
    'PORTAL',
    'REPORT',
    'SUPPORT',
    'PORT_NUMBER',
    'APP_AWS_REGION',
    'TINYSTACK',
  ])('%p is the user’s to set', (name) => {
    // Prepare
    // Act
    const error = rejectionOf({ [name]: 'value' });

    // Assess
    expect(error).toBeUndefined();
  });

  test('the reason names the prefix that makes the name reserved', () => {
    // Prepare
    // Act
    const reasons = [reservedReason('mysql_user'), reservedReason('port'), reservedReason('HOME')];

    // Assess
    expect(reasons).toEqual([
      'names starting with MYSQL_ are set by the platform',
      'port is set by the platform',
      undefined,
    ]);
  });

  test('the field prefix can be chosen by the caller', () => {
    // Prepare
    // Act
    const error = rejectionOf({ AWS_PROFILE: 'dev' }, 'stage.environment');

    // Assess
    expect(error?.details).toEqual({ field: 'stage.environment.AWS_PROFILE' });
  });

  test('every variable the platform injects is reserved, so a user variable can never shadow it', () => {
    // Prepare
    const injected = platformEnvironment({
      stackId: 'stk_1',
      stageName: 'dev',
      port: 8080,
      deploymentId: 'op_1',
    });

    // Act
    const unreserved = Object.keys(injected).filter((name) => reservedReason(name) === undefined);

    // Assess
    expect(unreserved).toEqual([]);
  });
});

describe('platformEnvironment', () => {
  test('injects the port, stack, stage and deployment as strings', () => {
    // Prepare
    const context = { stackId: 'stk_1', stageName: 'dev', port: 8080, deploymentId: 'op_1' };

    // Act
    const environment = platformEnvironment(context);

    // Assess
    expect(environment).toEqual({
      PORT: '8080',
      TINYSTACKS_STACK_ID: 'stk_1',
      TINYSTACKS_STAGE: 'dev',
      TINYSTACKS_DEPLOYMENT_ID: 'op_1',
    });
  });
});

describe('serviceEnvironment', () => {
  test('the platform’s value wins over a user value of the same name', () => {
    // Prepare
    const user = { PORT: '3000', API_URL: 'https://api.example.com' };
    const platform = { PORT: '8080' };

    // Act
    const merged = serviceEnvironment(user, platform);

    // Assess
    expect(merged).toEqual({ API_URL: 'https://api.example.com', PORT: '8080' });
  });

  test('names that are Object.prototype members are ordinary variables', () => {
    // Prepare
    const user = { constructor: 'c', toString: 't', hasOwnProperty: 'h' };
    const platform = { PORT: '80' };

    // Act
    const merged = serviceEnvironment(user, platform);

    // Assess
    expect(Object.entries(merged)).toEqual([
      ['PORT', '80'],
      ['constructor', 'c'],
      ['hasOwnProperty', 'h'],
      ['toString', 't'],
    ]);
  });

  test('keeps every user and platform variable, names sorted', () => {
    // Prepare
    const user = { ZETA: 'z', ALPHA: 'a', MIDDLE: 'm' };
    const platform = { TINYSTACKS_STAGE: 'dev', PORT: '80' };

    // Act
    const merged = serviceEnvironment(user, platform);

    // Assess
    expect(Object.entries(merged)).toEqual([
      ['ALPHA', 'a'],
      ['MIDDLE', 'm'],
      ['PORT', '80'],
      ['TINYSTACKS_STAGE', 'dev'],
      ['ZETA', 'z'],
    ]);
  });

  test('an empty user value is kept, not dropped', () => {
    // Prepare
    // Act
    const merged = serviceEnvironment({ FEATURE_FLAG: '' }, {});

    // Assess
    expect(merged).toEqual({ FEATURE_FLAG: '' });
  });

  test('changes neither input', () => {
    // Prepare
    const user = { B: '1', A: '2' };
    const platform = { PORT: '80' };

    // Act
    serviceEnvironment(user, platform);

    // Assess
    expect([user, platform]).toEqual([{ B: '1', A: '2' }, { PORT: '80' }]);
  });
});
