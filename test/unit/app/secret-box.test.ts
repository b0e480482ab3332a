import {
  newSecretKey,
  parseSecretKey,
  secretBox,
  subscriptionSecretContext,
} from '../../../src/app/secret-box';

const box = secretBox(parseSecretKey(newSecretKey()));
const context = subscriptionSecretContext('acme', 'sub_1');

describe('secretBox (AES-256-GCM)', () => {
  test('opens what it sealed, and the sealed form does not contain the secret', () => {
    // Act
    const sealed = box.seal('whsec_abc', context);

    // Assess
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed, context)).toBe('whsec_abc');
  });

  test('sealing twice gives different ciphertexts (a fresh IV each time)', () => {
    // Act / Assess
    expect(box.seal('whsec_abc', context)).not.toBe(box.seal('whsec_abc', context));
  });

  test('a sealed secret copied to another subscription or tenant does not open', () => {
    // Prepare
    const sealed = box.seal('whsec_abc', context);

    // Act / Assess
    expect(() => box.open(sealed, subscriptionSecretContext('acme', 'sub_2'))).toThrow();
    expect(() => box.open(sealed, subscriptionSecretContext('globex', 'sub_1'))).toThrow();
  });

  test('a tampered ciphertext, another key, or garbage do not open', () => {
    // Prepare
    const sealed = box.seal('whsec_abc', context);
    const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = flipped[0]! ^ 1;

    // Act / Assess
    expect(() => box.open([version, iv, flipped.toString('base64url'), tag].join('.'), context)).toThrow();
    expect(() => secretBox(parseSecretKey(newSecretKey())).open(sealed, context)).toThrow();
    expect(() => box.open('whsec_abc', context)).toThrow('not a sealed secret');
  });

  test('the key must be 32 bytes', () => {
    // Act / Assess
    expect(() => parseSecretKey(Buffer.alloc(16).toString('base64'))).toThrow('32 bytes');
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
  });
});
