import { randomBytes } from 'node:crypto';
import {
  keyRingBox,
  keyRingJson,
  newKeyRing,
  parseKeyRing,
  subscriptionSecretContext,
  type KeyRing,
} from '../../../src/domain/secret-box';
import { sealAsFirstVersion } from '../../support/legacy-seal';

const context = subscriptionSecretContext('acme', 'sub_1');
const material = () => randomBytes(48).toString('base64url');
const fixed = (ring: KeyRing) => keyRingBox(async () => ring);

describe('keyRingBox (AES-256-GCM under a ring of keys)', () => {
  const box = fixed(newKeyRing());

  test('opens what it sealed; the sealed form names its key and does not contain the secret', async () => {
    // Act
    const sealed = await box.seal('whsec_abc', context);

    // Assess
    expect(sealed).toMatch(/^v2\.k1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('whsec_abc');
    expect(await box.open(sealed, context)).toBe('whsec_abc');
  });

  test('sealing twice gives different ciphertexts (a fresh IV each time)', async () => {
    // Act / Assess
    expect(await box.seal('whsec_abc', context)).not.toBe(await box.seal('whsec_abc', context));
  });

  test('a sealed secret copied to another subscription or tenant does not open', async () => {
    // Prepare
    const sealed = await box.seal('whsec_abc', context);

    // Act / Assess
    await expect(box.open(sealed, subscriptionSecretContext('acme', 'sub_2'))).rejects.toThrow();
    await expect(box.open(sealed, subscriptionSecretContext('globex', 'sub_1'))).rejects.toThrow();
  });

  test('a tampered ciphertext, another ring, or garbage do not open', async () => {
    // Prepare
    const sealed = await box.seal('whsec_abc', context);
    const [version, id, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = flipped[0]! ^ 1;

    // Act / Assess
    await expect(
      box.open([version, id, iv, flipped.toString('base64url'), tag].join('.'), context),
    ).rejects.toThrow();
    await expect(fixed(newKeyRing()).open(sealed, context)).rejects.toThrow();
    await expect(box.open('whsec_abc', context)).rejects.toThrow('not a sealed secret');
  });
});

describe('rotation', () => {
  test('after a new key is made current, values sealed under the old one still open; new ones use the new key', async () => {
    // Prepare
    const before: KeyRing = { current: 'k1', keys: { k1: material() } };
    const after: KeyRing = { current: 'k2', keys: { ...before.keys, k2: material() } };
    const old = await fixed(before).seal('whsec_old', context);

    // Act
    const rotated = fixed(after);
    const sealed = await rotated.seal('whsec_new', context);

    // Assess
    expect(await rotated.open(old, context)).toBe('whsec_old');
    expect(sealed.split('.')[1]).toBe('k2');
    expect(await rotated.open(sealed, context)).toBe('whsec_new');
  });

  test('an instance that read the ring before the rotation reads it again for a key it does not know', async () => {
    // Prepare: the secret as Secrets Manager would hold it, rotated after the first read.
    const k1 = material();
    let stored = keyRingJson({ current: 'k1', keys: { k1 } });
    let reads = 0;
    const warm = keyRingBox(async () => {
      reads += 1;
      return parseKeyRing(stored);
    });
    await warm.seal('whsec_before', context);
    stored = keyRingJson({ current: 'k2', keys: { k1, k2: material() } });
    const sealedElsewhere = await keyRingBox(async () => parseKeyRing(stored)).seal('whsec_after', context);

    // Act
    const opened = await warm.open(sealedElsewhere, context);

    // Assess
    expect(opened).toBe('whsec_after');
    expect(reads).toBe(2);
  });

  test('values of the first version (v1, no key id) open with the ring’s legacy key', async () => {
    // Prepare: sealed as the first version did, under the 32-byte subscriptionKey parameter.
    const legacyKey = randomBytes(32);
    const v1 = sealAsFirstVersion(legacyKey, 'whsec_v1', context);

    // Act
    const withLegacy = fixed({ ...newKeyRing(), legacy: legacyKey.toString('base64') });

    // Assess
    expect(await withLegacy.open(v1, context)).toBe('whsec_v1');
    await expect(fixed(newKeyRing()).open(v1, context)).rejects.toThrow('legacy key');
  });

  test('a ring that cannot be read is read again at the next use', async () => {
    // Prepare
    let attempts = 0;
    const box = keyRingBox(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('ThrottlingException');
      return newKeyRing();
    });

    // Act
    const first = await box.seal('x', context).catch((error: Error) => error.message);
    const second = await box.seal('x', context);

    // Assess
    expect(first).toBe('ThrottlingException');
    expect(second).toMatch(/^v2\.k1\./);
  });
});

describe('parseKeyRing', () => {
  test('reads the secret as GenerateSecretString makes it', () => {
    // Act
    const ring = parseKeyRing(JSON.stringify({ current: 'k1', k1: 'A'.repeat(64) }));

    // Assess
    expect(ring).toEqual({ current: 'k1', keys: { k1: 'A'.repeat(64) } });
  });

  test.each([
    ['not JSON', 'nope', 'not JSON'],
    ['no current key', JSON.stringify({ k1: 'A'.repeat(64) }), 'current key'],
    ['a current key it does not hold', JSON.stringify({ current: 'k2', k1: 'A'.repeat(64) }), 'current key'],
    ['a short key', JSON.stringify({ current: 'k1', k1: 'short' }), 'at least 32 characters'],
    [
      'a legacy key of the wrong size',
      JSON.stringify({ current: 'k1', k1: 'A'.repeat(64), legacy: 'AAAA' }),
      '32 bytes',
    ],
  ])('refuses %s', (_, json, message) => {
    // Act / Assess
    expect(() => parseKeyRing(json)).toThrow(message);
  });
});
