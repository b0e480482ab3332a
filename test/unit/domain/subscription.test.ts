import { DomainError } from '../../../src/domain/errors';
import { DETAIL_TYPES } from '../../../src/domain/events';
import {
  MAX_DELIVERY_ATTEMPTS,
  retryDelaySeconds,
  RETRY_DELAYS_SECONDS,
  subscriptionWants,
  tenantOf,
} from '../../../src/domain/subscription';
import { createSubscriptionBody } from '../../../src/domain/input/subscription';
import { parsePart } from '../../../src/domain/input/parse';

/** The 400 a body gets: the field it names and its message. */
function refusal(body: unknown): { field: unknown; message: string } {
  try {
    parsePart(createSubscriptionBody, body, 'body');
  } catch (error) {
    if (error instanceof DomainError) return { field: error.details.field, message: error.message };
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('createSubscriptionBody', () => {
  test('accepts a URL alone, or with a list of detail-types', () => {
    // Act
    const bare = parsePart(createSubscriptionBody, { url: 'https://hooks.example.com/x' }, 'body');
    const filtered = parsePart(
      createSubscriptionBody,
      { url: 'https://hooks.example.com/x', events: ['Stage Status Change'] },
      'body',
    );

    // Assess
    expect(bare).toEqual({ url: 'https://hooks.example.com/x' });
    expect(filtered.events).toEqual(['Stage Status Change']);
  });

  test.each(
    (
      [
        [{}, 'url', 'url is required'],
        [{ url: 42 }, 'url', 'url must be a string'],
        [{ url: 'hooks.example.com/x' }, 'url', 'must be an absolute URL'],
        [{ url: 'mailto:ops@example.com' }, 'url', 'must be an absolute URL'],
        [{ url: 'https://a:b@hooks.example.com/' }, 'url', 'must not carry credentials'],
        [{ url: `https://example.com/${'x'.repeat(2048)}` }, 'url', 'at most 2048'],
        [{ url: 'https://example.com', events: 'Stage Status Change' }, 'events', 'must be an array'],
        [{ url: 'https://example.com', events: [] }, 'events', 'at least one detail-type'],
        [{ url: 'https://example.com', events: ['Nope'] }, 'events.0', 'must be one of'],
        [
          { url: 'https://example.com', events: ['Stage Status Change', 'Stage Status Change'] },
          'events',
          'must not list a detail-type twice',
        ],
        [{ url: 'https://example.com', secret: 'mine' }, 'secret', 'unknown field `secret`'],
      ] as [Record<string, unknown>, string, string][]
    ).map(([body, field, message]) => [field, message, body] as const),
  )('400 on %s: %s', (field, message, body) => {
    // Act
    const error = refusal(body);

    // Assess
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  test('the known detail-types are the list in src/domain/events.ts', () => {
    // Act
    const error = refusal({ url: 'https://example.com', events: ['Nope'] });

    // Assess
    for (const detailType of DETAIL_TYPES) expect(error.message).toContain(JSON.stringify(detailType));
  });
});

describe('subscriptionWants', () => {
  const event = (detailType: string, tenantId: unknown, source = 'tinystacks') => ({
    source,
    'detail-type': detailType,
    detail: { tenantId },
  });

  test('a subscription without a filter gets every event of its tenant', () => {
    // Prepare
    const subscription = { tenantId: 'acme', events: null };

    // Act / Assess
    expect(subscriptionWants(subscription, event('Stage Status Change', 'acme'))).toBe(true);
    expect(subscriptionWants(subscription, event('Some Future Change', 'acme'))).toBe(true);
  });

  test('a filter keeps only the detail-types listed', () => {
    // Prepare
    const subscription = { tenantId: 'acme', events: ['Stage Status Change' as const] };

    // Act / Assess
    expect(subscriptionWants(subscription, event('Stage Status Change', 'acme'))).toBe(true);
    expect(subscriptionWants(subscription, event('Operation Status Change', 'acme'))).toBe(false);
  });

  test('another tenant’s events, events naming no tenant and other sources are never wanted', () => {
    // Prepare
    const subscription = { tenantId: 'acme', events: null };

    // Act / Assess
    expect(subscriptionWants(subscription, event('Stage Status Change', 'globex'))).toBe(false);
    expect(subscriptionWants(subscription, event('Stage Status Change', undefined))).toBe(false);
    expect(subscriptionWants(subscription, event('Stage Status Change', 'acme', 'aws.cloudformation'))).toBe(
      false,
    );
  });

  test('tenantOf takes the tenant from the detail, and only a well-formed one', () => {
    // Act / Assess
    expect(tenantOf({ detail: { tenantId: 'acme' } })).toBe('acme');
    expect(tenantOf({ detail: { tenantId: 'acme#S#x' } })).toBeUndefined();
    expect(tenantOf({ detail: { tenantId: 7 } })).toBeUndefined();
    expect(tenantOf({ detail: {} })).toBeUndefined();
  });
});

describe('the retry schedule', () => {
  test('10 s, 30 s, 2 min, 10 min, 30 min, then no more: six attempts', () => {
    // Act
    const delays = Array.from({ length: 7 }, (_, i) => retryDelaySeconds(i + 1, () => 0));

    // Assess
    expect(delays).toEqual([10, 30, 120, 600, 1800, undefined, undefined]);
    expect(MAX_DELIVERY_ATTEMPTS).toBe(6);
    expect(RETRY_DELAYS_SECONDS).toHaveLength(MAX_DELIVERY_ATTEMPTS - 1);
  });

  test('jitter stretches each wait by at most a tenth, never shortens it', () => {
    // Act
    const longest = RETRY_DELAYS_SECONDS.map((_, i) => retryDelaySeconds(i + 1, () => 0.9999));

    // Assess
    expect(longest).toEqual([11, 33, 132, 660, 1980]);
  });

  test('attempts are counted from 1', () => {
    // Act / Assess
    expect(() => retryDelaySeconds(0)).toThrow(RangeError);
  });
});
