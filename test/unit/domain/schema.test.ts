import type * as z from 'zod/mini';
import {
  awsRegion,
  envName,
  environment,
  nextToken,
  origin,
  origins,
  pageLimit,
  port,
  repository,
  stageName,
} from '../../../src/domain/input/fields';
import { notificationSettings } from '../../../src/domain/input/pipeline';
import { createStageBody, updateStageBody } from '../../../src/domain/input/stage';

const accepts = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).success;
const firstIssue = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).error?.issues[0];

describe('stageName', () => {
  test.each(['a', 'dev', 'prod2', 'eu-west-copy', 'a-b-c', 'a'.repeat(20), `a${'-b'.repeat(9)}1`])(
    'accepts %p',
    (name) => {
      // Prepare
      // Act
      const ok = accepts(stageName, name);

      // Assess
      expect(ok).toBe(true);
    },
  );

  test.each([
    ['21 characters', 'a'.repeat(21)],
    ['uppercase', 'Dev'],
    ['a double hyphen', 'dev--copy'],
    ['a trailing hyphen', 'dev-'],
    ['a leading hyphen', '-dev'],
    ['a leading digit', '1dev'],
    ['an underscore', 'dev_copy'],
    ['a dot', 'dev.copy'],
    ['a space', 'dev copy'],
    ['an accent', 'dév'],
    ['nothing', ''],
  ])('rejects a name with %s', (_, name) => {
    // Prepare
    // Act
    const issue = firstIssue(stageName, name);

    // Assess
    expect(issue?.message).toMatch(/lowercase letters, digits and single hyphens/);
  });

  test('rejects a non-string', () => {
    // Prepare
    // Act
    const ok = accepts(stageName, 7);

    // Assess
    expect(ok).toBe(false);
  });
});

describe('awsRegion', () => {
  test.each([
    'us-east-1',
    'eu-west-3',
    'ap-southeast-2',
    'me-central-1',
    'us-gov-west-1',
    'cn-north-1',
    'us-isob-east-1',
  ])('accepts %p', (region) => {
    // Prepare
    // Act
    const ok = accepts(awsRegion, region);

    // Assess
    expect(ok).toBe(true);
  });

  test.each(['US-EAST-1', 'us-east', 'useast1', 'us-east-1a', 'us_east_1', ' us-east-1', 'local', ''])(
    'rejects %p',
    (region) => {
      // Prepare
      // Act
      const issue = firstIssue(awsRegion, region);

      // Assess
      expect(issue?.message).toBe('must be an AWS region such as us-east-1');
    },
  );

  test.each(['us-east-9', 'eu-west-7', 'xx-north-1'])(
    'rejects %p, which the AWS SDK does not list',
    (region) => {
      // Prepare
      // Act
      const issue = firstIssue(awsRegion, region);

      // Assess
      expect(issue?.message).toBe(
        'must be an AWS region such as us-east-1: the AWS SDK lists no such region',
      );
    },
  );
});

describe('repository', () => {
  test.each([
    ['a plain name', 'octocat/hello-world'],
    ['one-character parts', 'a/b'],
    ['dots, underscores and capitals', 'Acme-Inc/shop.web_v2'],
    ['a 39-character owner and a 100-character name', `${'o'.repeat(39)}/${'r'.repeat(100)}`],
  ])('accepts %s', (_, repo) => {
    // Prepare
    // Act
    const ok = accepts(repository, repo);

    // Assess
    expect(ok).toBe(true);
  });

  test.each([
    'octocat',
    'octocat/hello/world',
    'https://github.com/octocat/hello-world',
    'git@github.com:octocat/hello-world.git',
    '/hello-world',
    'octocat/',
    'o'.repeat(40) + '/repo',
    'octocat/' + 'r'.repeat(101),
    'octo cat/repo',
  ])('rejects %p', (repo) => {
    // Prepare
    // Act
    const issue = firstIssue(repository, repo);

    // Assess
    expect(issue?.message).toBe('must be a GitHub repository as owner/repo');
  });
});

describe('origin', () => {
  test.each([
    'http://localhost',
    'http://localhost:3000',
    'https://app.example.com',
    'https://app.example.com:8443',
    'https://*.example.com',
    'http://127.0.0.1:8080',
  ])('accepts %p', (value) => {
    // Prepare
    // Act
    const ok = accepts(origin, value);

    // Assess
    expect(ok).toBe(true);
  });

  test.each([
    ['a path', 'https://app.example.com/app'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a path after a port', 'http://localhost:3000/callback'],
    ['a query', 'https://app.example.com?x=1'],
    ['no scheme', 'app.example.com'],
    ['another scheme', 'ftp://files.example.com'],
    ['a bare wildcard', '*'],
    ['no host', 'https://'],
    ['a host ending in a hyphen', 'https://app-.example.com'],
  ])('rejects an origin with %s', (_, value) => {
    // Prepare
    // Act
    const issue = firstIssue(origin, value);

    // Assess
    expect(issue?.message).toMatch(/^must be an origin/);
  });
});

describe('envName', () => {
  test.each(['A', '_PRIVATE', 'API_KEY', 'node_env', 'V2'])('accepts %p', (name) => {
    // Prepare
    // Act
    const ok = accepts(envName, name);

    // Assess
    expect(ok).toBe(true);
  });

  test.each(['1PASSWORD', 'API-KEY', 'API KEY', 'A=B', 'ÄPFEL', ''])('rejects %p', (name) => {
    // Prepare
    // Act
    const issue = firstIssue(envName, name);

    // Assess
    expect(issue?.message).toBe('must be a valid environment variable name');
  });
});

describe('limits', () => {
  test('an environment variable name holds up to 128 characters, not 129', () => {
    // Prepare
    // Act
    const results = [accepts(envName, 'X'.repeat(128)), accepts(envName, 'X'.repeat(129))];

    // Assess
    expect(results).toEqual([true, false]);
  });

  const variables = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`VAR_${i}`, 'x']));

  test('environment holds up to 100 variables, not 101', () => {
    // Prepare
    const atLimit = variables(100);
    const overLimit = variables(101);

    // Act
    const results = [accepts(environment, atLimit), firstIssue(environment, overLimit)?.message];

    // Assess
    expect(results).toEqual([true, 'must hold at most 100 variables']);
  });

  test('a variable value holds up to 4096 characters, not 4097', () => {
    // Prepare
    const atLimit = { A: 'x'.repeat(4096) };
    const overLimit = { A: 'x'.repeat(4097) };

    // Act
    const results = [accepts(environment, atLimit), firstIssue(environment, overLimit)?.path];

    // Assess
    expect(results).toEqual([true, ['A']]);
  });

  test('60 variables of 500 characters fit; 100 of 4,096 (which no task definition holds) do not', () => {
    // Prepare
    const sixtyOf500 = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`VAR_${i}`, 'x'.repeat(500)]),
    );
    const hundredOf4096 = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`VAR_${i}`, 'x'.repeat(4096)]),
    );

    // Act
    const issue = firstIssue(environment, hundredOf4096);

    // Assess
    expect(accepts(environment, sixtyOf500)).toBe(true);
    expect(issue?.path).toEqual([]);
    expect(issue?.message).toMatch(/^takes 412491 bytes in the task definition; at most 40960 fit/);
  });

  test('a variable value must be a string', () => {
    // Prepare
    // Act
    const ok = accepts(environment, { PORT_NUMBER: 8080 });

    // Assess
    expect(ok).toBe(false);
  });

  test('origins holds up to 20 entries, not 21', () => {
    // Prepare
    const list = (count: number) => Array.from({ length: count }, (_, i) => `https://app${i}.example.com`);

    // Act
    const results = [accepts(origins, list(20)), accepts(origins, list(21))];

    // Assess
    expect(results).toEqual([true, false]);
  });

  test.each([
    [1, true],
    [65535, true],
    [0, false],
    [65536, false],
    [80.5, false],
    ['80', false],
  ])('port %p accepted: %p', (value, expected) => {
    // Prepare
    // Act
    const ok = accepts(port, value);

    // Assess
    expect(ok).toBe(expected);
  });

  test.each([
    ['1', 1],
    ['100', 100],
    [undefined, undefined],
  ])('page limit %p reads as %p', (value, expected) => {
    // Prepare
    // Act
    const result = pageLimit.safeParse(value);

    // Assess
    expect(result).toEqual({ success: true, data: expected });
  });

  test.each(['0', '101', '2.5', 'ten'])('page limit %p is refused', (value) => {
    // Prepare
    // Act
    const ok = accepts(pageLimit, value);

    // Assess
    expect(ok).toBe(false);
  });

  test('nextToken holds up to 2048 characters, not 2049', () => {
    // Prepare
    // Act
    const results = [accepts(nextToken, 'x'.repeat(2048)), accepts(nextToken, 'x'.repeat(2049))];

    // Assess
    expect(results).toEqual([true, false]);
  });
});

describe('request bodies', () => {
  test('a create-stage body refuses unknown fields', () => {
    // Prepare
    // Act
    const issue = firstIssue(createStageBody, { name: 'dev', colour: 'blue' });

    // Assess
    expect(issue).toMatchObject({ code: 'unrecognized_keys', keys: ['colour'] });
  });

  test('a create-stage body needs only a name', () => {
    // Prepare
    // Act
    const result = createStageBody.safeParse({ name: 'dev' });

    // Assess
    expect(result).toEqual({ success: true, data: { name: 'dev' } });
  });

  test('an update body must change at least one setting', () => {
    // Prepare
    // Act
    const issue = firstIssue(updateStageBody, {});

    // Assess
    expect(issue?.message).toBe('must change at least one setting');
  });

  test('an update body cannot rename the stage', () => {
    // Prepare
    // Act
    const issue = firstIssue(updateStageBody, { name: 'prod' });

    // Assess
    expect(issue).toMatchObject({ code: 'unrecognized_keys', keys: ['name'] });
  });
});

describe('notification emails', () => {
  test.each([
    ['a NUL', 'lead\u0000@example.com'],
    ['a line break', 'lead@example.com\r\nBcc: all@example.com'],
    ['a tab', 'lead\t@example.com'],
    ['a DEL', 'lead@exam\u007fple.com'],
    ['an escape', 'lead@example.com\u001b'],
  ])('refuses an address with %s', (_, address) => {
    // Act
    const ok = accepts(notificationSettings, { emails: [address] });

    // Assess
    expect(ok).toBe(false);
  });

  test('accepts an ordinary address, international ones too', () => {
    // Act
    const ok = accepts(notificationSettings, { emails: ['lead@example.com', 'rené@exämple.de'] });

    // Assess
    expect(ok).toBe(true);
  });
});
