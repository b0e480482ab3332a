import { jest } from '@jest/globals';
import { optionalEnv, requireEnv } from '../../../src/cloud/aws/env';

afterEach(() => {
  delete process.env.TINYSTACKS_TEST_VALUE;
});

test('requireEnv returns the value', () => {
  // Prepare
  process.env.TINYSTACKS_TEST_VALUE = 'x';

  // Act
  const value = requireEnv('TINYSTACKS_TEST_VALUE');

  // Assess
  expect(value).toBe('x');
});

test.each([undefined, ''])('requireEnv names a missing or empty variable (%p)', (value) => {
  // Prepare
  if (value !== undefined) process.env.TINYSTACKS_TEST_VALUE = value;

  // Act
  const reading = () => requireEnv('TINYSTACKS_TEST_VALUE');

  // Assess
  expect(reading).toThrow(new Error('Missing environment variable TINYSTACKS_TEST_VALUE'));
});

test('optionalEnv falls back when unset or empty', () => {
  // Prepare
  process.env.TINYSTACKS_TEST_VALUE = '';

  // Act
  const values = [optionalEnv('TINYSTACKS_TEST_VALUE'), optionalEnv('TINYSTACKS_TEST_VALUE', 'fallback')];

  // Assess
  expect(values).toEqual([undefined, 'fallback']);
});

describe('settings', () => {
  const variables = {
    PLATFORM_PRINCIPAL_ARN: 'arn:p',
    VERIFIER_PRINCIPAL_ARN: 'arn:v',
    EVENT_BUS_ARN: 'arn:bus',
  };

  beforeEach(() => Object.assign(process.env, variables));
  afterEach(() => {
    for (const name of [...Object.keys(variables), 'DEFAULT_IMAGE_URI']) delete process.env[name];
  });

  const load = async () => {
    let settings: unknown;
    await jest.isolateModulesAsync(async () => {
      settings = (await import('../../../src/cloud/aws/settings')).apiSettings;
    });
    return settings;
  };

  test('come from the environment, with a default image', async () => {
    // Prepare: the variables above

    // Act
    const settings = await load();

    // Assess
    expect(settings).toEqual({
      requireRoleArn: true,
      simulatedRoleArn: '',
      platformPrincipalArn: 'arn:p',
      verifierPrincipalArn: 'arn:v',
      eventBusArn: 'arn:bus',
      defaultImageUri: 'public.ecr.aws/nginx/nginx:stable-alpine',
    });
  });

  test('DEFAULT_IMAGE_URI overrides the default image', async () => {
    // Prepare
    process.env.DEFAULT_IMAGE_URI = 'example.com/app:1';

    // Act
    const settings = await load();

    // Assess
    expect(settings).toMatchObject({ defaultImageUri: 'example.com/app:1' });
  });

  test('a missing variable fails at load, naming it', async () => {
    // Prepare
    delete process.env.EVENT_BUS_ARN;

    // Act
    const loading = load();

    // Assess
    await expect(loading).rejects.toThrow('Missing environment variable EVENT_BUS_ARN');
  });
});
