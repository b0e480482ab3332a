import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { subscriptionSecretContext } from '../../../src/domain/secret-box';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:SubscriptionKeySecret-AbCdEf';
const k1 = 'A'.repeat(64);
const sm = mockClient(SecretsManagerClient);
sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: 'k1', k1 }) });
process.env.SUBSCRIPTION_KEY_SECRET = SECRET_ARN;

// Loaded after the mock and the variable: the module reads the ring as it loads (a cold start).
const { subscriptionSecrets } = await import('../../../src/cloud/aws/subscription-key');
const context = subscriptionSecretContext('acme', 'sub_1');

test('the key ring is read once, at load, from the secret the platform stack generated', async () => {
  // Act
  const sealed = await subscriptionSecrets.seal('whsec_a', context);
  const opened = await subscriptionSecrets.open(sealed, context);
  await subscriptionSecrets.seal('whsec_b', context);

  // Assess
  expect(opened).toBe('whsec_a');
  expect(sealed.startsWith('v2.k1.')).toBe(true);
  expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
    { SecretId: SECRET_ARN },
  ]);
});

test('a value sealed under a key added since is opened after one more read', async () => {
  // Prepare: another instance saw the rotation first.
  const rotated = { current: 'k2', k1, k2: 'B'.repeat(64) };
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(rotated) });
  const { keyRingBox, parseKeyRing } = await import('../../../src/domain/secret-box');
  const elsewhere = await keyRingBox(async () => parseKeyRing(JSON.stringify(rotated))).seal(
    'whsec_c',
    context,
  );
  const readsBefore = sm.commandCalls(GetSecretValueCommand).length;

  // Act
  const opened = await subscriptionSecrets.open(elsewhere, context);

  // Assess
  expect(opened).toBe('whsec_c');
  expect(sm.commandCalls(GetSecretValueCommand).length).toBe(readsBefore + 1);
});
