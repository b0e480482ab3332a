import { signSlackRequest, verifySlackRequest } from '../../../src/domain/slack';

describe('Slack request signatures', () => {
  const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
  const rawBody = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
  const now = 1_740_000_000;

  test('a valid signature passes', () => {
    // Prepare
    const signature = signSlackRequest(signingSecret, now - 10, rawBody);

    // Act
    const check = verifySlackRequest({
      signingSecret,
      rawBody,
      timestamp: String(now - 10),
      signature,
      nowSeconds: now,
    });

    // Assess
    expect(check).toBe('ok');
  });

  test('Slack’s documented example verifies', () => {
    // Prepare: https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    // Act
    const check = verifySlackRequest({
      signingSecret,
      rawBody: body,
      timestamp: '1531420618',
      signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      nowSeconds: 1531420618,
    });

    // Assess
    expect(check).toBe('ok');
  });

  test('a request older than 5 minutes is stale, even correctly signed', () => {
    // Prepare
    const timestamp = now - 301;
    const signature = signSlackRequest(signingSecret, timestamp, rawBody);

    // Act
    const check = verifySlackRequest({
      signingSecret,
      rawBody,
      timestamp: String(timestamp),
      signature,
      nowSeconds: now,
    });

    // Assess
    expect(check).toBe('stale');
  });

  test.each([
    ['another secret', signSlackRequest('another secret', now, rawBody), String(now)],
    ['another body', signSlackRequest(signingSecret, now, `${rawBody}x`), String(now)],
    ['a signature for another timestamp', signSlackRequest(signingSecret, now - 1, rawBody), String(now)],
    ['no signature', undefined, String(now)],
    ['no timestamp', signSlackRequest(signingSecret, now, rawBody), undefined],
  ])('%s is refused', (_, signature, timestamp) => {
    // Act
    const check = verifySlackRequest({ signingSecret, rawBody, timestamp, signature, nowSeconds: now });

    // Assess
    expect(check).toBe('invalid');
  });
});
