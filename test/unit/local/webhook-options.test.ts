import { parseCliOptions } from '../../../src/local/options';

describe('npm start options for webhooks', () => {
  test('private webhook targets are refused unless the flag is given; retries run at full length by default', () => {
    // Act
    const defaults = parseCliOptions([], {});
    const flagged = parseCliOptions(['--allow-private-webhooks', '--webhook-retry-scale', '0.01'], {});
    const fromEnv = parseCliOptions([], { TINYSTACKS_WEBHOOK_RETRY_SCALE: '0.5' });

    // Assess
    expect(defaults).toMatchObject({ allowPrivateWebhooks: false, webhookRetryScale: 1 });
    expect(flagged).toMatchObject({ allowPrivateWebhooks: true, webhookRetryScale: 0.01 });
    expect(fromEnv.webhookRetryScale).toBe(0.5);
  });

  test('a retry scale that is not a non-negative number is refused', () => {
    // Act / Assess
    expect(() => parseCliOptions(['--webhook-retry-scale', 'fast'], {})).toThrow('--webhook-retry-scale');
    expect(() => parseCliOptions(['--webhook-retry-scale', '-1'], {})).toThrow('--webhook-retry-scale');
  });
});
