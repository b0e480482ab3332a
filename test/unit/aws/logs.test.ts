import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  assumedRoles,
  freshClock,
  grantCredentials,
  PLATFORM_PRINCIPAL_ARN,
  refuseRole,
  serviceError,
  sts,
} from './sts-fakes';

const { logs } = await import('../../../src/cloud/aws/logs');

const cwl = mockClient(CloudWatchLogsClient);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'ap-south-1',
  externalId: 'ext-1',
};

beforeEach(() => {
  sts.reset();
  cwl.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

test('reads the log group in the customer’s account and region, from `since`', async () => {
  // Prepare
  cwl.on(FilterLogEventsCommand).resolves({
    events: [
      { timestamp: Date.parse('2030-01-01T00:00:01Z'), message: 'started' },
      { timestamp: Date.parse('2030-01-01T00:00:02Z'), message: 'listening on 8080' },
    ],
    nextToken: 'more',
  });

  // Act
  const page = await logs.read(target, '/tinystacks/app', {
    since: '2030-01-01T00:00:00Z',
    limit: 50,
    nextToken: 'prev',
  });

  // Assess
  expect(page).toEqual({
    lines: [
      { timestamp: '2030-01-01T00:00:01.000Z', message: 'started' },
      { timestamp: '2030-01-01T00:00:02.000Z', message: 'listening on 8080' },
    ],
    nextToken: 'more',
  });
  expect(cwl.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toEqual({
    logGroupName: '/tinystacks/app',
    startTime: Date.parse('2030-01-01T00:00:00Z'),
    limit: 50,
    nextToken: 'prev',
  });
  expect(assumedRoles().map((r) => [r.RoleArn, r.ExternalId])).toEqual([
    [PLATFORM_PRINCIPAL_ARN, undefined],
    [target.roleArn, 'ext-1'],
  ]);
  expect(await (cwl.send.thisValues[0] as CloudWatchLogsClient).config.region()).toBe('ap-south-1');
});

test('without `since`, reads from the start of the group', async () => {
  // Prepare
  cwl.on(FilterLogEventsCommand).resolves({ events: [] });

  // Act
  const page = await logs.read(target, '/tinystacks/app', { limit: 10 });

  // Assess
  expect(page).toEqual({ lines: [] });
  expect(cwl.commandCalls(FilterLogEventsCommand)[0]!.args[0].input.startTime).toBeUndefined();
});

test('a log group that does not exist yet is an empty page', async () => {
  // Prepare
  cwl
    .on(FilterLogEventsCommand)
    .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'no group' }));

  // Act
  const page = await logs.read(target, '/tinystacks/missing', { limit: 10 });

  // Assess
  expect(page).toEqual({ lines: [] });
});

test('throttling is Throttled', async () => {
  // Prepare
  cwl.on(FilterLogEventsCommand).rejects(serviceError('ThrottlingException'));

  // Act
  const reading = logs.read(target, '/tinystacks/app', { limit: 10 });

  // Assess
  await expect(reading).rejects.toHaveProperty('name', 'Throttled');
});

test('a role that refuses us is AccessDenied before any Logs call', async () => {
  // Prepare
  refuseRole(target.roleArn, serviceError('AccessDenied'));

  // Act
  const reading = logs.read(target, '/tinystacks/app', { limit: 10 });

  // Assess
  await expect(reading).rejects.toHaveProperty('name', 'AccessDenied');
  expect(cwl.calls()).toHaveLength(0);
});

test('other errors propagate', async () => {
  // Prepare
  const denied = serviceError('AccessDeniedException');
  cwl.on(FilterLogEventsCommand).rejects(denied);

  // Act
  const reading = logs.read(target, '/tinystacks/app', { limit: 10 });

  // Assess
  await expect(reading).rejects.toBe(denied);
});
