import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { PlatformSecretsPort } from '../ports';

// Pure, as the cache over it (pipeline-settings.ts): dropped from the functions that never read these secrets.
const client = /* @__PURE__ */ new SecretsManagerClient({});

/** The platform's own secrets in its own account: webhook secrets, the approval link key, Slack's signing secret. */
export const platformSecrets: PlatformSecretsPort = {
  async create(name, value) {
    await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Tags: [{ Key: 'tinystacks:purpose', Value: 'webhook' }],
      }),
    );
  },
  async get(name) {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
      return out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  },
  async delete(name) {
    try {
      await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  },
};
