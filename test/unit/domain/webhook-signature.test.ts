import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { newWebhookSecret, signWebhook, verifyWebhookSignature } from '../../../src/domain/webhook-signature';

const secret = 'whsec_test-secret';
const body = '{"id":"e1","detail-type":"Stage Status Change","detail":{"tenantId":"acme"}}';
const now = 1_760_000_000;

describe('signWebhook', () => {
  test('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> keyed with the secret', () => {
    // Prepare
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');

    // Act
    const header = signWebhook(secret, body, now);

    // Assess
    expect(header).toBe(`t=${now},v1=${expected}`);
  });

  test('new secrets are whsec_ and 32 random bytes, never twice the same', () => {
    // Act
    const secrets = new Set(Array.from({ length: 50 }, newWebhookSecret));

    // Assess
    expect(secrets.size).toBe(50);
    for (const s of secrets) expect(s).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhook(secret, body, now);
  const verify = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
    verifyWebhookSignature({ secret, body, header, nowSeconds: now, ...overrides });

  test('accepts the signature of this body by this secret, within the tolerance', () => {
    // Act / Assess
    expect(verify({})).toBe(true);
    expect(verify({ nowSeconds: now + 299 })).toBe(true);
    expect(verify({ header: `${header},v1=${'0'.repeat(64)}` })).toBe(true);
  });

  test.each([
    ['another body', { body: body.replace('acme', 'evil') }],
    ['another secret', { secret: 'whsec_other' }],
    ['a timestamp too old', { nowSeconds: now + 301 }],
    ['a timestamp in the future', { nowSeconds: now - 301 }],
    ['a changed timestamp', { header: header.replace(`t=${now}`, `t=${now + 1}`) }],
    ['no header', { header: undefined }],
    ['an empty header', { header: '' }],
    ['no v1', { header: `t=${now}` }],
    ['a truncated v1', { header: header.slice(0, -2) }],
    ['a non-hex v1', { header: `t=${now},v1=${'z'.repeat(64)}` }],
    ['no timestamp', { header: header.replace(`t=${now},`, '') }],
  ])('refuses %s', (_what, overrides) => {
    // Act / Assess
    expect(verify(overrides)).toBe(false);
  });
});

describe('the README’s Node snippet for receivers', () => {
  /** The ```js block of the README that defines verifyTinyStacksSignature, run as written. */
  function readmeVerifier(): (secret: string, rawBody: string, header: string | undefined) => boolean {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((code) => code.includes('function verifyTinyStacksSignature'));
    if (!block) throw new Error('README has no ```js block defining verifyTinyStacksSignature');
    const code = block.replace(/^import .*$/gm, '');
    return new Function(
      'createHmac',
      'timingSafeEqual',
      'Buffer',
      `${code}\nreturn verifyTinyStacksSignature;`,
    )(createHmac, timingSafeEqual, Buffer) as ReturnType<typeof readmeVerifier>;
  }

  test('accepts what the platform signs and refuses a tampered body, a wrong secret, a stale signature', () => {
    // Prepare
    const verify = readmeVerifier();
    const fresh = signWebhook(secret, body);
    const stale = signWebhook(secret, body, Math.floor(Date.now() / 1000) - 600);

    // Act / Assess
    expect(verify(secret, body, fresh)).toBe(true);
    expect(verify(secret, `${body} `, fresh)).toBe(false);
    expect(verify('whsec_other', body, fresh)).toBe(false);
    expect(verify(secret, body, stale)).toBe(false);
    expect(verify(secret, body, undefined)).toBe(false);
  });
});
