import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * A secret sealed as the first version of src/domain/secret-box.ts sealed it (`v1.<iv>.<ciphertext>.<tag>`,
 * AES-256-GCM under the 32-byte `subscriptionKey`), to check that such values still open.
 */
export function sealAsFirstVersion(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join('.');
}
