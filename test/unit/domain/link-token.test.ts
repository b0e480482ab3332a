import { newLinkNonce, signLinkToken, verifyLinkToken } from '../../../src/domain/link-token';

describe('approval link tokens', () => {
  const key = 'k'.repeat(43);
  const claims = {
    tenantId: 'acme',
    approvalId: 'apr_01jn8m2c4e6g8j0k2m4p6r8t0v',
    nonce: newLinkNonce(),
    expiresAt: 2_000_000_000,
  };

  test('a token verifies with its key until it expires, and never carries a task token', () => {
    // Act
    const token = signLinkToken(key, claims);

    // Assess
    expect(verifyLinkToken(key, token, 1_999_999_999)).toEqual({ ok: true, claims });
    expect(verifyLinkToken(key, token, 2_000_000_000)).toEqual({ ok: false, reason: 'expired' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  test.each([
    [
      'a changed payload',
      (t: string) =>
        `${Buffer.from(JSON.stringify(['other', claims.approvalId, claims.nonce, claims.expiresAt])).toString('base64url')}.${t.split('.')[1]}`,
    ],
    ['a changed signature', (t: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['no signature', (t: string) => t.split('.')[0]!],
    ['an extra part', (t: string) => `${t}.x`],
    ['garbage', () => 'not-a-token'],
  ])('%s is invalid', (_, tamper) => {
    // Prepare
    const token = tamper(signLinkToken(key, claims));

    // Act
    const check = verifyLinkToken(key, token, 1_000_000_000);

    // Assess
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  test('another key’s token is invalid', () => {
    expect(verifyLinkToken(key, signLinkToken('another key', claims), 1_000_000_000)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});
