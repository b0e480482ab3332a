import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe's scheme: `X-TinyStacks-Signature: t=<unix seconds>,v1=<hex>` where
 * the hex is HMAC-SHA256, keyed with the subscription's secret (the whole `whsec_…` string, UTF-8),
 * of `<t>.<raw body>`. The timestamp is signed with the body, so a captured delivery cannot be
 * replayed later than the receiver's tolerance. verifyWebhookSignature is what a receiver runs
 * (the README has the same in a few lines of Node).
 */

export const SIGNATURE_HEADER = 'X-TinyStacks-Signature';
export const EVENT_ID_HEADER = 'X-TinyStacks-Event-Id';
export const EVENT_TYPE_HEADER = 'X-TinyStacks-Event-Type';
export const ATTEMPT_HEADER = 'X-TinyStacks-Delivery-Attempt';

/** Receivers should refuse deliveries signed longer ago than this. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new signing secret: 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

const hmac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The X-TinyStacks-Signature value for a body, signed now (or at `timestampSeconds`). */
export function signWebhook(
  secret: string,
  body: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

export interface VerifyInput {
  secret: string;
  /** The raw request body, exactly as received (not re-serialised JSON). */
  body: string;
  /** The X-TinyStacks-Signature header. */
  header: string | undefined;
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/**
 * True when the header carries a v1 signature of this body by this secret, made within the
 * tolerance. Compares in constant time; accepts several v1 entries (a secret being rotated).
 */
export function verifyWebhookSignature(input: VerifyInput): boolean {
  const { secret, body, header } = input;
  if (!header) return false;
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const parts = header.split(',').map((part) => part.trim().split('=', 2) as [string, string?]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > tolerance) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return parts
    .filter(([key, value]) => key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value!, 'hex'), expected));
}
