import { OPERATION_POLL, pollDelay, reconnectDelay } from '../../../web/src/lib/backoff';
import { logGroupConsoleUrl, stageShortcutLinks } from '../../../web/src/lib/console-links';
import { environmentToRows, rowsToEnvironment } from '../../../web/src/lib/environment';
import { ApiError, errorText, fieldFor, toApiError } from '../../../web/src/lib/errors';
import { parseSse } from '../../../web/src/lib/sse';
import { isInProgress, operationLabel, statusLabel, toneOf } from '../../../web/src/lib/status';

describe('dashboard: errors', () => {
  test('an API error keeps its message, field and the busy operation', () => {
    // Act
    const error = toApiError(409, {
      error: { code: 'Conflict', message: 'stage dev is busy', operationId: 'op_1' },
    });

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.message, error.operationId, error.field]).toEqual([
      409,
      'stage dev is busy',
      'op_1',
      undefined,
    ]);
  });

  test('API Gateway’s own answers ({message}) and empty bodies still read as sentences', () => {
    expect(toApiError(401, { message: 'Unauthorized' }).message).toBe('Unauthorized');
    expect(toApiError(502, undefined).message).toBe('the server answered 502 without a message');
    expect(errorText(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
  });

  test('an error lands on the longest control that is its field or a dotted prefix of it', () => {
    const names = ['environment', 'database', 'database.readReplicaOf.stage', 'origins'];
    expect(fieldFor('environment.PG_HOST', names)).toBe('environment');
    expect(fieldFor('database.readReplicaOf.stage', names)).toBe('database.readReplicaOf.stage');
    expect(fieldFor('database.readReplicaOf.engine', names)).toBe('database');
    expect(fieldFor('originsX', names)).toBeUndefined();
    expect(fieldFor('colour', names)).toBeUndefined();
    expect(fieldFor(undefined, names)).toBeUndefined();
  });
});

describe('dashboard: environment variables', () => {
  test('refuses what the API refuses, keyed as the API keys it', () => {
    // Act
    const { environment, errors } = rowsToEnvironment([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'PG_HOST', value: 'x' },
      { name: 'port', value: '1' },
      { name: '1BAD', value: '' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: '', value: '' },
    ]);

    // Assess
    expect(Object.keys(errors).sort()).toEqual([
      'environment.1BAD',
      'environment.LOG_LEVEL',
      'environment.PG_HOST',
      'environment.port',
    ]);
    expect(errors['environment.PG_HOST']).toMatch(/reserved: names starting with PG_/);
    expect(errors['environment.LOG_LEVEL']).toBe('LOG_LEVEL is given twice');
    expect(environment.LOG_LEVEL).toBe('info');
  });

  test('good rows become the environment object and back', () => {
    const rows = [
      { name: 'A', value: '1' },
      { name: 'B_2', value: '' },
    ];
    const { environment, errors } = rowsToEnvironment(rows);
    expect(errors).toEqual({});
    expect(environmentToRows(environment)).toEqual(rows);
  });
});

describe('dashboard: server-sent events', () => {
  test('splits complete events from the unfinished rest, drops comments, joins data lines', () => {
    // Act
    const first = parseSse(
      ': connected\n\nid: 1\nevent: Operation Status Change\ndata: {"a":\ndata: 1}\n\nid: 2\nda',
    );
    const second = parseSse(`${first.rest}ta: {"b":2}\r\n\r\n`);

    // Assess
    expect(first.messages).toEqual([{ id: '1', event: 'Operation Status Change', data: '{"a":\n1}' }]);
    expect(second.messages).toEqual([{ id: '2', data: '{"b":2}' }]);
    expect(second.rest).toBe('');
  });
});

describe('dashboard: polling', () => {
  test('delays grow from 0.5 s and never pass 5 s; reconnects never pass 10 s', () => {
    const delays = Array.from({ length: 12 }, (_, attempt) => pollDelay(attempt));
    expect(delays[0]).toBe(500);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(Math.max(...delays)).toBe(OPERATION_POLL.maxMs);
    expect(reconnectDelay(0)).toBe(500);
    expect(reconnectDelay(30)).toBe(10_000);
  });
});

describe('dashboard: Stage Shortcut Links', () => {
  test('point at the stage’s region, its stack, its service and its log groups', () => {
    // Act
    const links = stageShortcutLinks({
      region: 'eu-west-1',
      cfnStackName: 'tinystacks-stk-1-dev',
      url: 'https://dev.example.com',
      outputs: { ClusterName: 'c', ServiceName: 's', AppLogGroupName: '/tinystacks/dev/app' },
    });

    // Assess
    expect(links.map((l) => l.label)).toEqual([
      'The stage’s URL',
      'CloudFormation stack',
      'ECS service',
      'Application log',
    ]);
    expect(links.slice(1).every((l) => l.href.startsWith('https://eu-west-1.console.aws.amazon.com/'))).toBe(
      true,
    );
    expect(links[1]!.href).toContain('stackId=tinystacks-stk-1-dev');
    expect(logGroupConsoleUrl('us-east-1', '/a/b')).toMatch(/log-group\/\$252Fa\$252Fb$/);
  });

  test('a stage without outputs yet links only its stack', () => {
    const links = stageShortcutLinks({ region: 'us-east-1', cfnStackName: 'x', url: null, outputs: {} });
    expect(links.map((l) => l.label)).toEqual(['CloudFormation stack']);
  });
});

describe('dashboard: statuses', () => {
  test('read as done, in progress, failed or neutral', () => {
    expect(['ACTIVE', 'CREATING', 'FAILED', 'SKIPPED'].map(toneOf)).toEqual(['ok', 'busy', 'fail', 'idle']);
    expect(isInProgress('WAITING_FOR_APPROVAL')).toBe(true);
    expect(isInProgress('SUCCEEDED')).toBe(false);
    expect(statusLabel('WAITING_FOR_APPROVAL')).toBe('waiting for approval');
    expect(operationLabel('CHANGE_DATABASE_PASSWORD')).toBe('Change database password');
  });
});
