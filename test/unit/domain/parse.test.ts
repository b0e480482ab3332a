import { DomainError } from '../../../src/domain/errors';
import { stageDatabaseOption } from '../../../src/domain/input/database';
import { createStackBody } from '../../../src/domain/input/stack';
import { createStageBody, updateStageBody } from '../../../src/domain/input/stage';
import { parsePart } from '../../../src/domain/input/parse';

/** What parsePart throws, as the 400's field and message. */
function refusal(run: () => unknown): { field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError && error.status === 400)
      return { field: error.details.field, message: error.message };
    throw error;
  }
  throw new Error('parsePart accepted the input');
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:shop/db-AbCdEf';

describe('parsePart: a union names the field of the option the caller meant', () => {
  test.each([
    ['an unknown engine', 'engine', { engine: 'oracle' }, /^engine must be /],
    ['storage as a string', 'storageGb', { engine: 'mysql', storageGb: '50' }, /^storageGb must be/],
    ['nothing at all', 'engine', {}, /^engine /],
    [
      'an existing database without its secret',
      'existing.secretArn',
      { engine: 'postgres', existing: { host: 'db.internal', port: 5432, database: 'shop' } },
      /^existing\.secretArn is required$/,
    ],
    [
      'a replica of an unknown engine',
      'readReplicaOf.engine',
      { readReplicaOf: { stage: 'dev', engine: 'oracle' } },
      /^readReplicaOf\.engine must be/,
    ],
    [
      'a replica with a field only new databases have',
      'storageGb',
      { readReplicaOf: { stage: 'dev', engine: 'postgres' }, storageGb: 50 },
      /^unknown field `storageGb`$/,
    ],
  ])('%s → 400 on %s', (_, field, body, message) => {
    // Act
    const refused = refusal(() => parsePart(stageDatabaseOption, body, 'body'));

    // Assess
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });

  test('inside another object, the path is the full one', () => {
    // Act
    const refused = refusal(() =>
      parsePart(createStageBody, { name: 'dev', database: { engine: 'mysql', storageGb: '50' } }, 'body'),
    );

    // Assess
    expect(refused.field).toBe('database.storageGb');
  });

  test('a valid option still parses', () => {
    // Act
    const parsed = parsePart(
      stageDatabaseOption,
      {
        engine: 'postgres',
        existing: { host: 'db.internal', port: 5432, database: 'shop', secretArn: SECRET_ARN },
      },
      'body',
    );

    // Assess
    expect(parsed).toMatchObject({ engine: 'postgres', existing: { secretArn: SECRET_ARN } });
  });
});

describe('parsePart: unknown fields', () => {
  test('a misspelt field is named, not the field it left missing', () => {
    // Prepare
    const body = { name: 'shop', repository: 'acme/shop', branch: 'main', reigon: 'us-east-1' };

    // Act
    const refused = refusal(() => parsePart(createStackBody, body, 'body'));

    // Assess
    expect(refused).toEqual({ field: 'reigon', message: 'unknown field `reigon`' });
  });
});

describe('parsePart: prototype-member names', () => {
  test('`__proto__` as a variable name is refused by name, not silently dropped', () => {
    // Prepare: JSON.parse keeps `__proto__` as an own key, as a request body would have it.
    const body = JSON.parse('{"environment":{"__proto__":"x","LOG_LEVEL":"info"}}') as unknown;

    // Act
    const refused = refusal(() => parsePart(updateStageBody, body, 'body'));

    // Assess
    expect(refused.field).toBe('environment.__proto__');
  });

  test.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    '`%s` as a variable name is refused by name (it would break the code that stores it)',
    (name) => {
      // Act
      const refused = refusal(() => parsePart(updateStageBody, { environment: { [name]: 'x' } }, 'body'));

      // Assess
      expect(refused).toEqual({
        field: `environment.${name}`,
        message: `environment.${name}: \`${name}\` is not accepted as a name (every JavaScript object has it)`,
      });
    },
  );

  test('names that merely resemble them are ordinary names', () => {
    // Act
    const parsed = parsePart(updateStageBody, { environment: { CONSTRUCTOR: 'x', to_string: 'y' } }, 'body');

    // Assess
    expect(parsed.environment).toEqual({ CONSTRUCTOR: 'x', to_string: 'y' });
  });

  test('an invalid variable name says what a name must be', () => {
    // Act
    const refused = refusal(() => parsePart(updateStageBody, { environment: { 'bad-name': 'x' } }, 'body'));

    // Assess
    expect(refused).toEqual({
      field: 'environment.bad-name',
      message: 'environment.bad-name must be a valid environment variable name',
    });
  });
});

describe('parsePart: a wrong type is named as a user says it', () => {
  test.each([
    [
      'a whole number',
      { name: 'dev', scaling: { cpu: 256, memory: 512, desiredCount: 1.5 } },
      /^scaling\.desiredCount must be a whole number$/,
    ],
    ['an array', { name: 'dev', deployWindows: 'mon' }, /^deployWindows must be an array$/],
    ['an object', { name: 'dev', scaling: 3 }, /^scaling must be an object$/],
  ])('%s', (_what, body, message) => {
    // Act
    const refused = refusal(() => parsePart(createStageBody, body, 'body'));

    // Assess
    expect(refused.message).toMatch(message);
  });
});
