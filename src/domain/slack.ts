import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing: `X-Slack-Signature: v0=<hex>` is HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * with the app's signing secret; requests whose `X-Slack-Request-Timestamp` is more than five
 * minutes from now are refused (replays).
 */
export const SLACK_TOLERANCE_SECONDS = 5 * 60;

export type SlackCheck = 'ok' | 'stale' | 'invalid';

export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function verifySlackRequest(input: {
  signingSecret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds?: number;
}): SlackCheck {
  const timestamp = Number(input.timestamp);
  const match = /^v0=([0-9a-f]{64})$/.exec(input.signature ?? '');
  if (!Number.isInteger(timestamp) || !match) return 'invalid';
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > SLACK_TOLERANCE_SECONDS) return 'stale';
  const expected = createHmac('sha256', input.signingSecret)
    .update(`v0:${timestamp}:${input.rawBody}`)
    .digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected) ? 'ok' : 'invalid';
}

/** The Approve / Reject buttons carry `<approvalId>.<link token>`: a click is as good as the link. */
export const buttonValue = (approvalId: string, linkToken: string) => `${approvalId}.${linkToken}`;

export function parseButtonValue(value: string): { approvalId: string; token: string } | undefined {
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  return { approvalId: value.slice(0, dot), token: value.slice(dot + 1) };
}

/** Only Slack's own hosts may be posted to with a response_url. */
export const isSlackResponseUrl = (url: string) =>
  /^https:\/\/hooks\.slack\.com\/[A-Za-z0-9/_.-]+$/.test(url);
