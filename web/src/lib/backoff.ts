/**
 * Delays between polls of a running operation where no event stream exists (on AWS): quick at first,
 * since most steps finish in seconds, then slower, never longer than `max`; after `giveUpAfterMs`
 * the page stops asking and says so (a database can take 20 minutes; an hour is past any workflow's
 * own timeouts).
 */
export interface PollPolicy {
  firstMs: number;
  factor: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const OPERATION_POLL: PollPolicy = {
  firstMs: 500,
  factor: 1.5,
  maxMs: 5000,
  giveUpAfterMs: 60 * 60_000,
};

export function pollDelay(attempt: number, policy: PollPolicy = OPERATION_POLL): number {
  return Math.min(policy.maxMs, Math.round(policy.firstMs * policy.factor ** Math.max(0, attempt)));
}

/** Reconnecting an event stream: 0.5 s, 1 s, 2 s … up to 10 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}
