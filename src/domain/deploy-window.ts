/**
 * Deploy windows: the hours of the week in which a run may deploy a stage, each in its own time zone.
 * A window lasts from `start` to `end` on each of its `days`, read on the zone's wall clock; an `end`
 * at or before `start` crosses midnight (`fri 22:00–02:00` ends on Saturday), and `24:00` is the end
 * of the day. Times are resolved through the runtime's Intl (full ICU on Node 24 and on Lambda), one
 * rule for every day of the year: a window opens (or closes) at the first instant at which the wall
 * clock reads its time or later. So on the day clocks go forward, a time the clock skips (02:30 in
 * Berlin) is the instant of the jump (03:00 CEST), and on the day they go back, a time the clock
 * reads twice is its first occurrence.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface DeployWindow {
  days: Weekday[];
  /** HH:MM, 24-hour, on the zone's wall clock. */
  start: string;
  /** HH:MM or 24:00; at or before `start`, the window crosses midnight. */
  end: string;
  /** An IANA time zone, such as Europe/Berlin. */
  timeZone: string;
}

/** More would make a stage's settings long to read and to check on every run; 20 covers any week. */
export const MAX_DEPLOY_WINDOWS = 20;

/**
 * How long a run waits, at most, for a stage's window. A weekly window always opens within seven
 * days and an hour (a clock change in between), so only windows edited during the wait can push
 * the opening further; then the run stops rather than wait on.
 */
export const MAX_WINDOW_WAIT_SECONDS = 8 * 24 * 3600;

export type WindowState = { open: true } | { open: false; opensAt: Date };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
export const END_OF_WINDOW = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** An IANA name (Area/Location, UTC …): Intl also takes offsets such as +01:00, which are no zones. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** A time zone the runtime's Intl knows, by its IANA name. */
export function isKnownTimeZone(timeZone: string): boolean {
  if (!ZONE_NAME.test(timeZone)) return false;
  try {
    formatOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The zone's wall clock at an instant, as milliseconds since 1970 read as if it were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatOf(timeZone).formatToParts(instant))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const seconds = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return seconds + (((instant % 1000) + 1000) % 1000);
}

/**
 * The first instant at which the zone's wall clock reads `wall` or later. The zone's offsets a day
 * before and a day after give the candidates (no zone changes its offset twice in two days); a
 * wall time neither candidate reads was skipped by the clock, and the instant of the jump is found
 * by bisection, to the second.
 */
function firstInstantAt(wall: number, timeZone: string): number {
  const offsetBefore = wallClock(wall - DAY, timeZone) - (wall - DAY);
  const offsetAfter = wallClock(wall + DAY, timeZone) - (wall + DAY);
  const candidates = [wall - offsetBefore, wall - offsetAfter]
    .filter((instant) => wallClock(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // Skipped: before the jump the clock reads less than `wall`, after it more.
  let early = Math.min(wall - offsetAfter, wall - offsetBefore);
  let late = Math.max(wall - offsetAfter, wall - offsetBefore);
  while (late - early > 1000) {
    const middle = early + Math.floor((late - early) / 2000) * 1000;
    if (wallClock(middle, timeZone) >= wall) late = middle;
    else early = middle;
  }
  return late;
}

/** Days since 1970-01-01 (a Thursday) → mon … sun. */
const weekdayOf = (day: number): Weekday => WEEKDAYS[(((day + 3) % 7) + 7) % 7]!;

/**
 * Whether a deploy may start at `now`, and if not, when the next window opens. No windows means
 * no restriction. Each window is looked at from the day before `now` (a window crossing midnight
 * may still be open) to two weeks on, on its own zone's calendar.
 */
export function nextWindowOpening(windows: readonly DeployWindow[], now: Date): WindowState {
  if (windows.length === 0) return { open: true };
  const at = now.getTime();
  let opensAt: number | undefined;
  for (const window of windows) {
    const today = Math.floor(wallClock(at, window.timeZone) / DAY);
    const start = minutesOf(window.start);
    const end = minutesOf(window.end);
    for (let day = today - 1; day <= today + 14; day++) {
      if (!window.days.includes(weekdayOf(day))) continue;
      const opens = firstInstantAt(day * DAY + start * MINUTE, window.timeZone);
      if (opensAt !== undefined && opens >= opensAt) break;
      const closes = firstInstantAt((end > start ? day : day + 1) * DAY + end * MINUTE, window.timeZone);
      if (opens <= at && at < closes) return { open: true };
      if (opens > at && closes > opens) {
        opensAt = opens;
        break;
      }
    }
  }
  // Every window has a day, and lasts a while on all days but perhaps one of a clock change.
  if (opensAt === undefined) throw new Error('no deploy window opens within two weeks');
  return { open: false, opensAt: new Date(opensAt) };
}

/** The whole seconds a wait lasts until `opensAt`, at least one (Step Functions' smallest timeout). */
export const secondsUntil = (opensAt: Date, now: Date) =>
  Math.max(1, Math.ceil((opensAt.getTime() - now.getTime()) / 1000));
