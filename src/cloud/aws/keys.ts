import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { keyPairParameterName } from '../../domain/bastion';
import { notFound } from '../../domain/errors';
import { CloudError } from '../errors';
import type { KeysPort, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

const clients = new BoundedCache<SSMClient>(MAX_CACHED);

const ssm = (target: TargetAccount) => customerClient(clients, target, (config) => new SSMClient(config));

/**
 * The private key of a key pair CloudFormation created: EC2 puts it in the customer's Parameter
 * Store as a SecureString at /ec2/keypair/<KeyPairId>. Read with the customer's role, on demand.
 */
export const keys: KeysPort = {
  async readPrivateKey(target, keyPairId) {
    const client = await ssm(target);
    try {
      const out = await client.send(
        new GetParameterCommand({ Name: keyPairParameterName(keyPairId), WithDecryption: true }),
      );
      const value = out.Parameter?.Value;
      if (!value) throw notFound(`private key of key pair ${keyPairId}`);
      return value;
    } catch (error) {
      if (error instanceof ParameterNotFound) throw notFound(`private key of key pair ${keyPairId}`);
      if (isThrottling(error)) throw new CloudError('Throttled', 'SSM throttled GetParameter');
      throw error;
    }
  },
};
