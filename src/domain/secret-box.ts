import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Subscription signing secrets must be readable again (every delivery is signed with one), so they
 * cannot be hashed: they are sealed with AES-256-GCM under a platform key before they are stored,
 * bound to their item by the associated data (the tenant and subscription id), so a sealed secret
 * copied onto another item does not open. DynamoDB, backups and logs only ever see the sealed form.
 *
 * The keys form a ring: several keys, each with an id, one of them current. A value is sealed with
 * the current key and carries its id (`v2.<keyId>.<iv>.<ciphertext>.<tag>`), so after a rotation
 * (a new key made current, the old ones kept) every value sealed before still opens. On AWS the
 * ring is a Secrets Manager secret the platform stack generates (`SubscriptionKeySecret` in
 * serverless.yml), read once per function instance; on the embedded runtime a file under
 * .tinystacks/. Values sealed by the first version (`v1.<iv>.<ciphertext>.<tag>`, under the
 * `subscriptionKey` deploy parameter) open with the ring's `legacy` key, when it has one.
 */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string): Promise<string>;
}

/** `{"current": "k2", "k1": "…", "k2": "…", "legacy"?: "<base64 32 bytes>"}`, as the secret holds it. */
export interface KeyRing {
  current: string;
  /** Key material by id: at least 32 characters each (the AES key is its SHA-256). */
  keys: Record<string, string>;
  /** The 32-byte key (base64) of `v1` values, sealed before keys had ids. */
  legacy?: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_MATERIAL_LENGTH = 32;

/** Reads a ring from its JSON; anything else is a configuration error that says what is wrong. */
export function parseKeyRing(json: string): KeyRing {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('the subscription key ring is not JSON');
  }
  if (typeof value !== 'object' || value === null)
    throw new Error('the subscription key ring is not an object');
  const { current, legacy, ...rest } = value as Record<string, unknown>;
  const keys: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [id, material] of Object.entries(rest)) {
    if (!KEY_ID.test(id) || typeof material !== 'string' || material.length < MIN_MATERIAL_LENGTH)
      throw new Error(
        `the subscription key ${id} must be a string of at least ${MIN_MATERIAL_LENGTH} characters`,
      );
    keys[id] = material;
  }
  if (typeof current !== 'string' || !(current in keys))
    throw new Error('the subscription key ring must name its current key, one of its keys');
  if (legacy !== undefined && (typeof legacy !== 'string' || Buffer.from(legacy, 'base64').length !== 32))
    throw new Error('the legacy subscription key must be 32 bytes, base64-encoded');
  return { current, keys, ...(legacy !== undefined ? { legacy } : {}) };
}

/** A new ring of one random key, as the platform stack's GenerateSecretString makes it. */
export function newKeyRing(): KeyRing {
  return { current: 'k1', keys: { k1: randomBytes(48).toString('base64url') } };
}

export const keyRingJson = (ring: KeyRing): string =>
  JSON.stringify({ current: ring.current, ...ring.keys, ...(ring.legacy ? { legacy: ring.legacy } : {}) });

const aesKey = (material: string) => createHash('sha256').update(material, 'utf8').digest();
const b64 = (part: Buffer) => part.toString('base64url');

function seal(key: Buffer, plaintext: string, associatedData: string): string[] {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [b64(iv), b64(ciphertext), b64(cipher.getAuthTag())];
}

function open(key: Buffer, [iv, ciphertext, tag]: string[], associatedData: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext!, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

/**
 * A box over a key ring loaded by `load` (once, then kept). A value sealed with a key this ring
 * does not know yet (another instance read the secret after a rotation) makes it read the ring
 * again, once per unknown id.
 */
export function keyRingBox(load: () => Promise<KeyRing>, options: { preload?: boolean } = {}): SecretBox {
  let ring: Promise<KeyRing> | undefined;
  const reloadedFor = new Set<string>();
  // A failed read is not kept: the next use reads again.
  const read = () => {
    const reading = load();
    ring = reading;
    reading.catch(() => {
      if (ring === reading) ring = undefined;
    });
    return reading;
  };
  const current = () => ring ?? read();
  // On AWS the ring is read while the function initialises, not on its first request.
  if (options.preload) read().catch(() => {});
  async function keyFor(id: string): Promise<Buffer> {
    let known = await current();
    if (!(id in known.keys) && !reloadedFor.has(id)) {
      reloadedFor.add(id);
      known = await read();
    }
    const material = known.keys[id];
    if (material === undefined) throw new Error(`subscription key ${id} is not in the key ring`);
    return aesKey(material);
  }
  return {
    async seal(plaintext, associatedData) {
      const { current: id, keys } = await current();
      return ['v2', id, ...seal(aesKey(keys[id]!), plaintext, associatedData)].join('.');
    },
    async open(sealed, associatedData) {
      const parts = sealed.split('.');
      if (parts[0] === 'v2' && parts.length === 5)
        return open(await keyFor(parts[1]!), parts.slice(2), associatedData);
      if (parts[0] === 'v1' && parts.length === 4) {
        const { legacy } = await current();
        if (!legacy) throw new Error('a v1 sealed secret needs the ring’s legacy key');
        return open(Buffer.from(legacy, 'base64'), parts.slice(1), associatedData);
      }
      throw new Error('not a sealed secret');
    },
  };
}

/** The associated data a subscription's secret is sealed with. */
export const subscriptionSecretContext = (tenantId: string, subscriptionId: string) =>
  `tinystacks/subscription/${tenantId}/${subscriptionId}`;
