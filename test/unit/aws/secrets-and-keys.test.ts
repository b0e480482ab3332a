import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { assumedRoles, freshClock, grantCredentials, sts } from './sts-fakes';

const { secrets } = await import('../../../src/cloud/aws/secrets');
const { keys } = await import('../../../src/cloud/aws/keys');

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const SECRET = 'arn:aws:secretsmanager:us-east-1:444455556666:secret:dev/tinystacks/stk_x/postgres-1-AbCdEf';

beforeEach(() => {
  sts.reset();
  sm.reset();
  ssm.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

test('reads a database secret with the customer’s role, in the secret’s own region', async () => {
  // Prepare
  sm.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({
      username: 'postgres',
      password: 'p'.repeat(40),
      host: 'db',
      port: 5432,
      dbname: 'app',
    }),
  });

  // Act
  const credentials = await secrets.readDatabaseSecret(target, SECRET);

  // Assess
  expect(credentials).toEqual({
    username: 'postgres',
    password: 'p'.repeat(40),
    host: 'db',
    port: 5432,
    dbname: 'app',
  });
  expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET });
  expect(await sm.call(0).thisValue.config.region()).toBe('us-east-1');
  expect(assumedRoles()).toContainEqual(
    expect.objectContaining({ RoleArn: target.roleArn, ExternalId: target.externalId }),
  );
});

test('a missing secret is a 404, not a 500', async () => {
  // Prepare
  sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

  // Act
  const error = await secrets.readDatabaseSecret(target, SECRET).catch((e: unknown) => e);

  // Assess
  expect(error).toMatchObject({ status: 404 });
});

test('reads the key pair’s private key from /ec2/keypair/<id>, decrypted', async () => {
  // Prepare
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '-----BEGIN RSA PRIVATE KEY-----\n...' } });

  // Act
  const key = await keys.readPrivateKey(target, 'key-0123456789abcdef0');

  // Assess
  expect(key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
    Name: '/ec2/keypair/key-0123456789abcdef0',
    WithDecryption: true,
  });
  expect(await ssm.call(0).thisValue.config.region()).toBe('eu-west-1');
});

test('a key that is not there is a 404', async () => {
  // Prepare
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'no', $metadata: {} }));

  // Act
  const error = await keys.readPrivateKey(target, 'key-0').catch((e: unknown) => e);

  // Assess
  expect(error).toMatchObject({ status: 404 });
});
