import { parseSecretKey, secretBox } from '../../app/secret-box';
import { requireEnv } from './env';

/**
 * Seals and opens subscription signing secrets with the platform key (32 bytes, base64), which only
 * createSubscription and sendWebhook are given (serverless.yml, param `subscriptionKey`).
 */
export const subscriptionSecrets = secretBox(parseSecretKey(requireEnv('SUBSCRIPTION_KEY')));
