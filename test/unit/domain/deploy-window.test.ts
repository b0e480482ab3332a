import {
  isKnownTimeZone,
  nextWindowOpening,
  secondsUntil,
  type DeployWindow,
  type Weekday,
} from '../../../src/domain/deploy-window';

const berlin = (days: Weekday[], start: string, end: string): DeployWindow => ({
  days,
  start,
  end,
  timeZone: 'Europe/Berlin',
});
const WEEKDAYS_9_TO_4 = berlin(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00', '16:00');
const at = (iso: string) => new Date(iso);
const opensAt = (windows: DeployWindow[], now: string) => {
  const state = nextWindowOpening(windows, at(now));
  return state.open ? 'open' : state.opensAt.toISOString();
};

describe('nextWindowOpening: an ordinary week (Europe/Berlin in winter, UTC+1)', () => {
  test.each([
    ['inside the window', '2026-01-14T10:00:00Z', 'open'],
    ['at the very minute it opens', '2026-01-14T08:00:00Z', 'open'],
    ['a second before it opens', '2026-01-14T07:59:59Z', '2026-01-14T08:00:00.000Z'],
    ['the morning before it opens', '2026-01-14T05:00:00Z', '2026-01-14T08:00:00.000Z'],
    ['at the minute it closes: tomorrow', '2026-01-14T15:00:00Z', '2026-01-15T08:00:00.000Z'],
    ['Friday evening: Monday', '2026-01-16T18:00:00Z', '2026-01-19T08:00:00.000Z'],
    ['Sunday at noon: Monday', '2026-01-18T11:00:00Z', '2026-01-19T08:00:00.000Z'],
    [
      'Sunday 23:30 in Berlin, still Sunday 22:30 UTC: Monday',
      '2026-01-18T22:30:00Z',
      '2026-01-19T08:00:00.000Z',
    ],
  ])('%s', (_, now, expected) => {
    // Prepare
    const windows = [WEEKDAYS_9_TO_4];

    // Act
    const result = opensAt(windows, now);

    // Assess
    expect(result).toBe(expected);
  });

  test('no windows: a deploy may start at any time', () => {
    // Act
    const state = nextWindowOpening([], at('2026-01-18T03:00:00Z'));

    // Assess
    expect(state).toEqual({ open: true });
  });

  test('the earliest of several windows in several zones', () => {
    // Prepare
    const windows = [
      WEEKDAYS_9_TO_4,
      { days: ['wed'], start: '06:00', end: '07:00', timeZone: 'America/New_York' } as DeployWindow,
      { days: ['wed'], start: '09:00', end: '10:00', timeZone: 'Asia/Kathmandu' } as DeployWindow,
    ];

    // Act
    const result = opensAt(windows, '2026-01-13T20:00:00Z');

    // Assess: Kathmandu (UTC+5:45) opens at 03:15 UTC, Berlin at 08:00, New York (UTC-5) at 11:00
    expect(result).toBe('2026-01-14T03:15:00.000Z');
  });

  test('a window that opened a minute ago is a week away once it closed', () => {
    // Prepare
    const windows = [berlin(['mon'], '09:00', '09:01')];

    // Act
    const result = opensAt(windows, '2026-01-19T08:01:00Z');

    // Assess
    expect(result).toBe('2026-01-26T08:00:00.000Z');
  });

  test('24:00 is the end of the day', () => {
    // Prepare
    const windows = [berlin(['sat'], '20:00', '24:00')];

    // Act
    const lastMinute = opensAt(windows, '2026-01-17T22:59:00Z');
    const midnight = opensAt(windows, '2026-01-17T23:00:00Z');

    // Assess
    expect(lastMinute).toBe('open');
    expect(midnight).toBe('2026-01-24T19:00:00.000Z');
  });
});

describe('nextWindowOpening: windows crossing midnight', () => {
  const fridayNight = berlin(['fri'], '22:00', '02:00');

  test.each([
    ['Friday 21:00 in Berlin', '2026-01-16T20:00:00Z', '2026-01-16T21:00:00.000Z'],
    ['Friday 23:00', '2026-01-16T22:00:00Z', 'open'],
    ['Saturday 01:59, the night of Friday', '2026-01-17T00:59:00Z', 'open'],
    ['Saturday 02:00: next Friday', '2026-01-17T01:00:00Z', '2026-01-23T21:00:00.000Z'],
    [
      'Thursday 23:00: the window is Friday’s, not Thursday’s',
      '2026-01-15T22:00:00Z',
      '2026-01-16T21:00:00.000Z',
    ],
  ])('%s', (_, now, expected) => {
    // Act
    const result = opensAt([fridayNight], now);

    // Assess
    expect(result).toBe(expected);
  });

  test('an end equal to the start is a whole day and night', () => {
    // Prepare
    const windows = [berlin(['sun'], '06:00', '06:00')];

    // Act
    const mondayMorning = opensAt(windows, '2026-01-19T04:59:00Z');
    const mondayLater = opensAt(windows, '2026-01-19T05:00:00Z');

    // Assess
    expect(mondayMorning).toBe('open');
    expect(mondayLater).toBe('2026-01-25T05:00:00.000Z');
  });
});

describe('nextWindowOpening across clock changes', () => {
  // Europe/Berlin 2026: 29 March 02:00 CET → 03:00 CEST (01:00 UTC); 25 October 03:00 CEST → 02:00 CET.
  test.each([
    ['spring: Saturday 09:00 is 08:00 UTC', '2026-03-27T16:00:00Z', ['sat'], '2026-03-28T08:00:00.000Z'],
    [
      'spring: on the day itself, 09:00 is 07:00 UTC',
      '2026-03-28T16:00:00Z',
      ['sun'],
      '2026-03-29T07:00:00.000Z',
    ],
    ['spring: the Monday after, 07:00 UTC', '2026-03-29T16:00:00Z', ['mon'], '2026-03-30T07:00:00.000Z'],
    ['autumn: the day before, 07:00 UTC', '2026-10-23T16:00:00Z', ['sat'], '2026-10-24T07:00:00.000Z'],
    [
      'autumn: on the day itself, 09:00 is 08:00 UTC',
      '2026-10-24T16:00:00Z',
      ['sun'],
      '2026-10-25T08:00:00.000Z',
    ],
  ])('a 09:00 start in Berlin, %s', (_, now, days, expected) => {
    // Prepare
    const windows = [berlin(days as Weekday[], '09:00', '16:00')];

    // Act
    const result = opensAt(windows, now);

    // Assess
    expect(result).toBe(expected);
  });

  test('a start the clock skips opens the window at the jump (03:00 CEST), not an hour late', () => {
    // Prepare
    const windows = [berlin(['sun'], '02:30', '04:00')];

    // Act
    const before = opensAt(windows, '2026-03-28T12:00:00Z');
    const rightAfterJump = opensAt(windows, '2026-03-29T01:00:00Z');
    const at0400 = opensAt(windows, '2026-03-29T02:00:00Z');

    // Assess
    expect(before).toBe('2026-03-29T01:00:00.000Z');
    expect(rightAfterJump).toBe('open');
    expect(at0400).toBe('2026-04-05T00:30:00.000Z');
  });

  test('a window wholly inside the skipped hour does not open that night', () => {
    // Prepare
    const windows = [berlin(['sun'], '02:00', '02:30')];

    // Act
    const result = opensAt(windows, '2026-03-28T12:00:00Z');

    // Assess: the next Sunday, in summer time (02:00 CEST = 00:00 UTC)
    expect(result).toBe('2026-04-05T00:00:00.000Z');
  });

  test('an end the clock skips closes the window at the jump', () => {
    // Prepare
    const windows = [berlin(['sun'], '01:00', '02:30')];

    // Act
    const lastSecond = opensAt(windows, '2026-03-29T00:59:59Z');
    const atJump = opensAt(windows, '2026-03-29T01:00:00Z');

    // Assess
    expect(lastSecond).toBe('open');
    expect(atJump).not.toBe('open');
  });

  test('a start the clock reads twice is its first occurrence, and the window stays open through the repeat', () => {
    // Prepare: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET)
    const windows = [berlin(['sun'], '02:30', '04:00')];

    // Act
    const before = opensAt(windows, '2026-10-24T12:00:00Z');
    const firstPass = opensAt(windows, '2026-10-25T00:45:00Z');
    const secondPassBeforeStart = opensAt(windows, '2026-10-25T01:15:00Z');
    const closing = opensAt(windows, '2026-10-25T03:00:00Z');

    // Assess: open from 02:30 CEST until 04:00 CET, also while the clock reads 02:15 a second time
    expect(before).toBe('2026-10-25T00:30:00.000Z');
    expect(firstPass).toBe('open');
    expect(secondPassBeforeStart).toBe('open');
    expect(closing).toBe('2026-11-01T01:30:00.000Z');
  });

  test('a window wholly inside the repeated hour opens once, on its first pass', () => {
    // Prepare: 02:15–02:45 is 00:15–00:45 UTC (CEST); the clock reads it again at 01:15–01:45 UTC
    const windows = [berlin(['sun'], '02:15', '02:45')];

    // Act
    const firstPass = opensAt(windows, '2026-10-25T00:20:00Z');
    const secondPass = opensAt(windows, '2026-10-25T01:20:00Z');

    // Assess
    expect(firstPass).toBe('open');
    expect(secondPass).toBe('2026-11-01T01:15:00.000Z');
  });

  test('New York: a 02:30 start on the second Sunday of March is 03:00 EDT', () => {
    // Prepare
    const windows: DeployWindow[] = [
      { days: ['sun'], start: '02:30', end: '05:00', timeZone: 'America/New_York' },
    ];

    // Act
    const result = opensAt(windows, '2026-03-07T12:00:00Z');

    // Assess
    expect(result).toBe('2026-03-08T07:00:00.000Z');
  });

  test('Lord Howe Island: a half-hour change, 01:45 happening twice', () => {
    // Prepare: 5 April 2026, 02:00 (UTC+11) → 01:30 (UTC+10:30) at 15:00 UTC on the 4th
    const windows: DeployWindow[] = [
      { days: ['sun'], start: '01:45', end: '03:00', timeZone: 'Australia/Lord_Howe' },
    ];

    // Act
    const result = opensAt(windows, '2026-04-04T12:00:00Z');

    // Assess: the first 01:45 is 14:45 UTC (UTC+11)
    expect(result).toBe('2026-04-04T14:45:00.000Z');
  });
});

describe('time zones and waits', () => {
  test.each([
    ['Europe/Berlin', true],
    ['America/Argentina/Buenos_Aires', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['Mars/Olympus', false],
    ['+01:00', false],
    ['Europe/Berlin ', false],
    ['', false],
  ])('%j is a known zone: %s', (zone, expected) => {
    // Act
    const known = isKnownTimeZone(zone);

    // Assess
    expect(known).toBe(expected);
  });

  test('a wait lasts whole seconds, rounded up, and at least one', () => {
    // Act
    const seconds = [
      secondsUntil(at('2026-01-14T08:00:00Z'), at('2026-01-14T07:59:58.500Z')),
      secondsUntil(at('2026-01-14T08:00:00Z'), at('2026-01-14T08:00:00Z')),
      secondsUntil(at('2026-01-21T08:00:00Z'), at('2026-01-14T08:00:00Z')),
    ];

    // Assess
    expect(seconds).toEqual([2, 1, 7 * 24 * 3600]);
  });
});
