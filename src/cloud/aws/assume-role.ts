import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { CloudError } from '../errors';
import type { TargetAccount } from '../ports';
import { isAccessDenied, isThrottling } from './aws-errors';
import { requireEnv } from './env';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** The shortest session STS grants: the credentials only ever serve one task or request. */
export const SESSION_SECONDS = 900;
/** Renewed a minute early so that no call starts on credentials about to lapse. */
const REFRESH_BEFORE_MS = 60_000;
/** Enough for every tenant a warm function instance serves in practice; bounded so it cannot grow without limit. */
export const MAX_CACHED = 50;
const SESSION_NAME = 'tinystacks';

/** A Map that forgets its oldest entry when full (Maps iterate in insertion order). */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Customers' trust policies name one platform principal (see src/domain/customer-role.ts), while
 * each function here has a role of its own. So the functions that reach customer accounts first
 * assume the platform principal (PLATFORM_PRINCIPAL_ARN, a role in this account that trusts only
 * them) and, from it, the customer's role: role chaining, which caps sessions at an hour; ours last 15 minutes.
 */
const platformPrincipalArn = requireEnv('PLATFORM_PRINCIPAL_ARN');

/** Signs with the function's own role. */
const ownSts = new STSClient({});
/** Signs as the platform principal; the SDK asks the cache below for its credentials. */
const platformSts = new STSClient({ credentials: () => platformCredentials() });

const credentialCache = new BoundedCache<TemporaryCredentials>(MAX_CACHED);

async function assume(
  sts: STSClient,
  input: Omit<AssumeRoleCommandInput, 'RoleSessionName' | 'DurationSeconds'>,
) {
  const out = await sts.send(
    new AssumeRoleCommand({ ...input, RoleSessionName: SESSION_NAME, DurationSeconds: SESSION_SECONDS }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new Error(`STS returned no credentials for ${input.RoleArn}`);
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}

async function cached(
  key: string,
  fetch: () => Promise<TemporaryCredentials>,
): Promise<TemporaryCredentials> {
  const hit = credentialCache.get(key);
  if (hit && hit.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS) return hit;
  const fresh = await fetch();
  credentialCache.set(key, fresh);
  return fresh;
}

/** Errors here are the platform's own misconfiguration, never the customer's: they propagate as they are. */
export function platformCredentials(): Promise<TemporaryCredentials> {
  return cached(`platform|${platformPrincipalArn}`, () => assume(ownSts, { RoleArn: platformPrincipalArn }));
}

/**
 * Credentials for the customer's role, presenting the tenant's external id. STS's AccessDenied is
 * the customer's trust policy (or a wrong external id); it is named as such so that it is not
 * mistaken for the role lacking permissions, which the service called afterwards reports.
 */
export async function customerCredentials(target: Pick<TargetAccount, 'roleArn' | 'externalId'>) {
  const { roleArn, externalId } = target;
  return cached(`customer|${roleArn}|${externalId}`, async () => {
    // Resolved here rather than inside platformSts, so that its failure is not reported as the customer's.
    await platformCredentials();
    try {
      return await assume(platformSts, { RoleArn: roleArn, ExternalId: externalId });
    } catch (error) {
      if (isAccessDenied(error)) {
        throw new CloudError(
          'AccessDenied',
          `cannot assume ${roleArn}: check its trust policy and external id`,
        );
      }
      if (isThrottling(error)) throw new CloudError('Throttled', `STS throttled AssumeRole for ${roleArn}`);
      throw error;
    }
  });
}

/**
 * One SDK client per customer role, external id and region, reused across invocations. The
 * credentials are assumed before each use (a cache hit while they last) so that a failed
 * AssumeRole is reported as such, not as the service call's error.
 */
export async function customerClient<C>(
  clients: BoundedCache<C>,
  target: TargetAccount,
  create: (config: { region: string; credentials: () => Promise<TemporaryCredentials> }) => C,
): Promise<C> {
  await customerCredentials(target);
  const key = `${target.roleArn}|${target.externalId}|${target.region}`;
  let client = clients.get(key);
  if (!client) {
    client = create({ region: target.region, credentials: () => customerCredentials(target) });
    clients.set(key, client);
  }
  return client;
}
