import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { keyRingBox, parseKeyRing } from '../../domain/secret-box';
import { requireEnv } from './env';

const secretId = requireEnv('SUBSCRIPTION_KEY_SECRET');
const client = new SecretsManagerClient({});

/**
 * Seals and opens subscription signing secrets with the platform's key ring: a Secrets Manager
 * secret the platform stack generates (serverless.yml `SubscriptionKeySecret`), which only
 * createSubscription and sendWebhook may read. Read once per function instance, at cold start;
 * read again only for a key id it does not know yet (a rotation seen by another instance first).
 */
export const subscriptionSecrets = keyRingBox(
  async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return parseKeyRing(out.SecretString ?? '');
  },
  { preload: true },
);
