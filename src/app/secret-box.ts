import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Subscription signing secrets must be readable again (every delivery is signed with one), so they
 * cannot be hashed: they are sealed with AES-256-GCM under a platform key before they are stored,
 * bound to their item by the associated data (the tenant and subscription id), so a sealed secret
 * copied onto another item does not open. DynamoDB, backups and logs only ever see the sealed form.
 *
 * The key: on AWS the SUBSCRIPTION_KEY variable (32 bytes, base64), given to the two functions that
 * seal or open (serverless.yml, param `subscriptionKey`); on the embedded runtime a file generated
 * under .tinystacks/. A later key can be added under a new version prefix; `v1` is this one.
 */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

const VERSION = 'v1';

/** Reads a base64 (or base64url) 32-byte key; anything else is a configuration error. */
export function parseSecretKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== 32) throw new Error('the subscription key must be 32 bytes, base64-encoded');
  return key;
}

export const newSecretKey = (): string => randomBytes(32).toString('base64');

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the subscription key must be 32 bytes');
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed, associatedData) {
      const [version, iv, ciphertext, tag] = sealed.split('.');
      if (version !== VERSION || !iv || !ciphertext || !tag) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** The associated data a subscription's secret is sealed with. */
export const subscriptionSecretContext = (tenantId: string, subscriptionId: string) =>
  `tinystacks/subscription/${tenantId}/${subscriptionId}`;
