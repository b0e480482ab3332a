import * as z from 'zod/mini';
import { END_OF_WINDOW, isKnownTimeZone, MAX_DEPLOY_WINDOWS, TIME_OF_DAY, WEEKDAYS } from '../deploy-window';

/** One deploy window (src/domain/deploy-window.ts): days of the week, a start and an end, a time zone. */
export const deployWindow = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).check(
      z.refine((days) => days.length > 0, 'must name at least one day (mon … sun)'),
      z.refine((days) => new Set(days).size === days.length, 'must not name a day twice'),
    ),
    start: z.string().check(z.regex(TIME_OF_DAY, 'must be a time of day as HH:MM (24-hour), such as 09:00')),
    end: z
      .string()
      .check(z.regex(END_OF_WINDOW, 'must be a time of day as HH:MM (24-hour), such as 16:00, or 24:00')),
    timeZone: z
      .string()
      .check(
        z.refine(
          isKnownTimeZone,
          'must be an IANA time zone such as Europe/Berlin or UTC (one the runtime’s Intl knows)',
        ),
      ),
  })
  .check(
    z.refine((window) => window.start !== window.end, {
      message: 'must differ from start (00:00 to 24:00 is the whole day)',
      path: ['end'],
    }),
  );

/** At least one window (`null` on a PATCH removes them); an end before the start crosses midnight. */
export const deployWindows = z.array(deployWindow).check(
  z.refine((windows) => windows.length > 0, 'must hold at least one window (null removes them)'),
  z.refine(
    (windows) => windows.length <= MAX_DEPLOY_WINDOWS,
    `must hold at most ${MAX_DEPLOY_WINDOWS} windows`,
  ),
);

/** POST /v1/runs/{runId}/stages/{stage}/override: why the stage is deployed outside its windows. */
export const overrideBody = z.strictObject({
  reason: z.string().check(
    z.refine((reason) => reason.trim().length > 0, 'must say why the stage is deployed outside its windows'),
    z.maxLength(500, 'must be at most 500 characters'),
  ),
});
