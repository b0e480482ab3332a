import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { notFound } from '../../domain/errors';
import { CloudError } from '../errors';
import type { DatabaseCredentials, SecretsPort, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

const clients = new BoundedCache<SecretsManagerClient>(MAX_CACHED);

/** A secret is read in its own region, which its ARN names (a replica stage's writer secret is elsewhere). */
function regionOf(secretArn: string, fallback: string): string {
  const region = secretArn.split(':')[3];
  return region || fallback;
}

const secretsManager = (target: TargetAccount, secretArn: string) =>
  customerClient(
    clients,
    { ...target, region: regionOf(secretArn, target.region) },
    (config) => new SecretsManagerClient(config),
  );

/** "View Secret": GetSecretValue with the customer's role. The value is returned, never logged. */
export const secrets: SecretsPort = {
  async readDatabaseSecret(target, secretArn): Promise<DatabaseCredentials> {
    const client = await secretsManager(target, secretArn);
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      const parsed = JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>;
      return {
        ...(typeof parsed.username === 'string' ? { username: parsed.username } : {}),
        password: String(parsed.password ?? ''),
        ...(typeof parsed.host === 'string' ? { host: parsed.host } : {}),
        ...(parsed.port !== undefined ? { port: Number(parsed.port) } : {}),
        ...(typeof parsed.dbname === 'string' ? { dbname: parsed.dbname } : {}),
      };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) throw notFound('the database secret');
      if (isThrottling(error)) throw new CloudError('Throttled', 'Secrets Manager throttled GetSecretValue');
      if (error instanceof SyntaxError)
        throw new Error('the database secret does not hold JSON', { cause: error });
      throw error;
    }
  },
};
