import { MAX_DEPLOY_WINDOWS, type DeployWindow } from '../../../src/domain/deploy-window';
import { DomainError } from '../../../src/domain/errors';
import { overrideBody } from '../../../src/domain/input/deploy-window';
import { parsePart } from '../../../src/domain/input/parse';
import { createStageBody, updateStageBody } from '../../../src/domain/input/stage';
import { applyStageUpdate, stageSettings, type StageSettings } from '../../../src/domain/stage';

const OFFICE_HOURS: DeployWindow = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '16:00',
  timeZone: 'Europe/Berlin',
};

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

describe('deployWindows on a stage: the 400 names the field', () => {
  test.each([
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'deployWindows.0.timeZone', /IANA time zone/],
    ['an offset instead of a zone', { timeZone: '+01:00' }, 'deployWindows.0.timeZone', /IANA/],
    ['a 12-hour time', { start: '9am' }, 'deployWindows.0.start', /HH:MM \(24-hour\)/],
    ['hour 24 as a start', { start: '24:00' }, 'deployWindows.0.start', /HH:MM/],
    ['minutes past 59', { end: '16:60' }, 'deployWindows.0.end', /HH:MM/],
    ['an end equal to the start', { end: '09:00' }, 'deployWindows.0.end', /must differ from start/],
    ['an unknown day', { days: ['mon', 'funday'] }, 'deployWindows.0.days.1', /must be one of "mon"/],
    ['a day named twice', { days: ['mon', 'mon'] }, 'deployWindows.0.days', /must not name a day twice/],
    ['no day', { days: [] }, 'deployWindows.0.days', /at least one day/],
    ['an unknown field', { colour: 'blue' }, 'deployWindows.0.colour', /unknown field/],
  ])('%s', (_, change, field, message) => {
    // Prepare
    const body = { name: 'prod', deployWindows: [{ ...OFFICE_HOURS, ...change }] };

    // Act
    const refused = refusal(() => parsePart(createStageBody, body, 'body'));

    // Assess
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });

  test('the second window is named by its index', () => {
    // Prepare
    const body = { deployWindows: [OFFICE_HOURS, { ...OFFICE_HOURS, timeZone: 'Europe/Berlinn' }] };

    // Act
    const refused = refusal(() => parsePart(updateStageBody, body, 'body'));

    // Assess
    expect(refused.field).toBe('deployWindows.1.timeZone');
  });

  test.each([
    ['an empty list', [], /at least one window \(null removes them\)/],
    [
      `more than ${MAX_DEPLOY_WINDOWS} windows`,
      Array.from({ length: MAX_DEPLOY_WINDOWS + 1 }, () => OFFICE_HOURS),
      new RegExp(`at most ${MAX_DEPLOY_WINDOWS} windows`),
    ],
  ])('%s', (_, windows, message) => {
    // Act
    const refused = refusal(() => parsePart(updateStageBody, { deployWindows: windows }, 'body'));

    // Assess
    expect(refused).toEqual({ field: 'deployWindows', message: expect.stringMatching(message) });
  });

  test('accepted: a window crossing midnight, one ending at 24:00, null on a PATCH', () => {
    // Prepare
    const windows = [
      { days: ['fri'], start: '22:00', end: '02:00', timeZone: 'America/New_York' },
      { days: ['sat', 'sun'], start: '00:00', end: '24:00', timeZone: 'UTC' },
    ];

    // Act
    const created = parsePart(createStageBody, { name: 'prod', deployWindows: windows }, 'body');
    const removed = parsePart(updateStageBody, { deployWindows: null }, 'body');

    // Assess
    expect(created.deployWindows).toEqual(windows);
    expect(removed).toEqual({ deployWindows: null });
  });
});

describe('deployWindows as a stage setting', () => {
  const current: StageSettings = stageSettings({ name: 'prod', deployWindows: [OFFICE_HOURS] });

  test('given on create, kept; a PATCH of something else keeps them', () => {
    // Act
    const patched = applyStageUpdate(current, { port: 8080 });

    // Assess
    expect(current.deployWindows).toEqual([OFFICE_HOURS]);
    expect(patched.deployWindows).toEqual([OFFICE_HOURS]);
  });

  test('a PATCH replaces them whole, and null removes them', () => {
    // Prepare
    const weekend: DeployWindow = { days: ['sat'], start: '10:00', end: '12:00', timeZone: 'UTC' };

    // Act
    const replaced = applyStageUpdate(current, { deployWindows: [weekend] });
    const removed = applyStageUpdate(current, { deployWindows: null });

    // Assess
    expect(replaced.deployWindows).toEqual([weekend]);
    expect(removed.deployWindows).toBeNull();
  });

  test('a stage that never had windows stays without them', () => {
    // Act
    const settings = applyStageUpdate(stageSettings({ name: 'dev' }), { port: 8080 });

    // Assess
    expect('deployWindows' in settings).toBe(false);
  });
});

describe('the override body', () => {
  test.each([
    ['no reason', {}, 'reason', /reason is required/],
    ['a blank reason', { reason: '   ' }, 'reason', /must say why/],
    ['a reason of 501 characters', { reason: 'x'.repeat(501) }, 'reason', /at most 500/],
  ])('%s', (_, body, field, message) => {
    // Act
    const refused = refusal(() => parsePart(overrideBody, body, 'body'));

    // Assess
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });
});
