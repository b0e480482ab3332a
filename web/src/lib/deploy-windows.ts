import type { Stage } from '../api/types';

export type DeployWindow = NonNullable<Stage['settings']['deployWindows']>[number];
type Day = DeployWindow['days'][number];

export const WEEKDAYS: readonly (readonly [Day, string])[] = [
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['sun', 'Sun'],
];

/** The viewer's time zone, as the browser names it (the default of a new window). */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The zones to choose from: the browser's list, UTC, and the one already chosen (an alias, say). */
export function timeZones(current?: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', ...known, ...(current ? [current] : [])])].sort();
}

/** `mon, tue, wed` → `Mon–Wed`; `mon, wed` → `Mon, Wed`: runs of consecutive days as ranges. */
export function describeDays(days: readonly Day[]): string {
  const order = WEEKDAYS.map(([day]) => day);
  const indexes = days.map((day) => order.indexOf(day)).sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const i of indexes) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  const label = (i: number) => WEEKDAYS[i]![1];
  return runs
    .map((run) => (run.length > 2 ? `${label(run[0]!)}–${label(run.at(-1)!)}` : run.map(label).join(', ')))
    .join(', ');
}

/** `Mon–Fri 09:00–16:00 (Europe/Berlin)`. */
export const describeWindow = (w: DeployWindow) =>
  `${describeDays(w.days)} ${w.start}–${w.end} (${w.timeZone})`;
