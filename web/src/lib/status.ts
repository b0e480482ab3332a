/** How a status reads on a badge: done, in progress, failed or neutral. */
export type Tone = 'ok' | 'busy' | 'fail' | 'idle';

const OK = new Set(['ACTIVE', 'AVAILABLE', 'SUCCEEDED', 'APPROVED']);
const BUSY = new Set([
  'CREATING',
  'UPDATING',
  'DELETING',
  'PENDING',
  'RUNNING',
  'QUEUED',
  'BUILDING',
  'DEPLOYING',
  'WAITING_FOR_APPROVAL',
  'WAITING_FOR_WINDOW',
  'IN_PROGRESS',
]);
const FAIL = new Set(['FAILED', 'REJECTED', 'EXPIRED', 'STOPPED', 'ROLLED_BACK', 'DELETE_FAILED']);

export function toneOf(status: string): Tone {
  if (OK.has(status)) return 'ok';
  if (BUSY.has(status)) return 'busy';
  if (FAIL.has(status)) return 'fail';
  return 'idle';
}

/** A status that will still change by itself (a page watching it keeps watching). */
export const isInProgress = (status: string) => BUSY.has(status);

/** `WAITING_FOR_APPROVAL` → `waiting for approval`. */
export const statusLabel = (status: string) => status.toLowerCase().replace(/_/g, ' ');

/** `CREATE_STAGE` → `Create stage`. */
export function operationLabel(type: string): string {
  const words = type.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
