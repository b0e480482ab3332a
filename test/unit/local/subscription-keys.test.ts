import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRing, subscriptionSecretContext } from '../../../src/domain/secret-box';
import { startLocalWebhooks } from '../../../src/local/webhooks';
import type { SubscriptionStore } from '../../../src/store/subscriptions';
import { sealAsFirstVersion } from '../../support/legacy-seal';

const context = subscriptionSecretContext('local', 'sub_1');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinystacks-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const start = () =>
  startLocalWebhooks(
    { dataDir: dir, allowPrivate: false, retryScale: 1 },
    { subscriptions: {} as SubscriptionStore },
  );

test('the ring is generated once (0600) and read back at the next start: secrets sealed before still open', async () => {
  // Prepare
  const first = start();
  const sealed = await first.settings.secrets.seal('whsec_a', context);
  await first.queue.dispose();

  // Act
  const second = start();
  const opened = await second.settings.secrets.open(sealed, context);
  await second.queue.dispose();

  // Assess
  expect(opened).toBe('whsec_a');
  expect(statSync(join(dir, 'subscription-keys.json')).mode & 0o777).toBe(0o600);
  expect(parseKeyRing(readFileSync(join(dir, 'subscription-keys.json'), 'utf8')).current).toBe('k1');
});

test('a data folder of the first version keeps its key as the ring’s legacy key: its subscriptions still sign', async () => {
  // Prepare: the old 32-byte key file and a secret sealed under it (v1).
  const legacy = randomBytes(32);
  writeFileSync(join(dir, 'subscription-key'), `${legacy.toString('base64')}\n`);
  const v1 = sealAsFirstVersion(legacy, 'whsec_old', context);

  // Act
  const webhooks = start();
  const opened = await webhooks.settings.secrets.open(v1, context);
  await webhooks.queue.dispose();

  // Assess
  expect(opened).toBe('whsec_old');
});
