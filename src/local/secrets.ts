import type { DatabaseCredentials, KeysPort, SecretsPort, TargetAccount } from '../cloud/ports';
import { keyPairParameterName } from '../domain/bastion';
import { notFound } from '../domain/errors';
import type { SimulatedServices } from './cloudformation/effects';

/** "View Secret" on the embedded runtime: the secrets the simulated CloudFormation generated. */
export class LocalSecretsPort implements SecretsPort {
  constructor(private readonly services: SimulatedServices) {}

  async readDatabaseSecret(_target: TargetAccount, secretArn: string): Promise<DatabaseCredentials> {
    const value = this.services.secrets.get(secretArn);
    if (value === undefined) throw notFound(`secret ${secretArn}`);
    const parsed = JSON.parse(value) as Record<string, unknown>;
    return {
      ...(typeof parsed.username === 'string' ? { username: parsed.username } : {}),
      password: String(parsed.password ?? ''),
      ...(typeof parsed.host === 'string' ? { host: parsed.host } : {}),
      ...(parsed.port !== undefined ? { port: Number(parsed.port) } : {}),
      ...(typeof parsed.dbname === 'string' ? { dbname: parsed.dbname } : {}),
    };
  }
}

/** The bastion's private key, from the simulated Parameter Store where the key pair put it. */
export class LocalKeysPort implements KeysPort {
  constructor(private readonly services: SimulatedServices) {}

  async readPrivateKey(target: TargetAccount, keyPairId: string): Promise<string> {
    const key = this.services.parameters.get(target.region, keyPairParameterName(keyPairId));
    if (key === undefined) throw notFound(`private key of key pair ${keyPairId}`);
    return key;
  }
}
