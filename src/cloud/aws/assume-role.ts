import { CloudError } from '../errors';
import type { TargetAccount } from '../ports';
import { isAccessDenied, isThrottling } from './aws-errors';
import { BoundedCache } from './bounded-cache';
import { requireEnv } from './env';
import { roleProvider, type RoleProvider } from './role-provider';

export { BoundedCache };

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

/**
 * Customers' trust policies name one platform principal (see src/domain/customer-role.ts), while
 * each function here has a role of its own. So the functions that reach customer accounts first
 * assume the platform principal (PLATFORM_PRINCIPAL_ARN, a role in this account that trusts only
 * them) and, from it, the customer's role: role chaining, which caps sessions at an hour; ours last 15 minutes.
 */
const platformPrincipalArn = requireEnv('PLATFORM_PRINCIPAL_ARN');

const sessionOf = (RoleArn: string, ExternalId?: string) => ({
  RoleArn,
  ...(ExternalId ? { ExternalId } : {}),
  RoleSessionName: SESSION_NAME,
  DurationSeconds: SESSION_SECONDS,
});

/** The platform principal, assumed with the function's own role. */
const platformProvider = roleProvider(sessionOf(platformPrincipalArn));
/** One per customer role and external id, each signing as the platform principal. */
const customerProviders = new BoundedCache<RoleProvider>(MAX_CACHED);

const credentialCache = new BoundedCache<TemporaryCredentials>(MAX_CACHED);

async function assume(provider: RoleProvider, roleArn: string): Promise<TemporaryCredentials> {
  const c = await provider();
  if (!c.sessionToken || !c.expiration) throw new Error(`STS returned no credentials for ${roleArn}`);
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: c.expiration,
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
  return cached(`platform|${platformPrincipalArn}`, () => assume(platformProvider, platformPrincipalArn));
}

function customerProvider(roleArn: string, externalId: string): RoleProvider {
  const key = `${roleArn}|${externalId}`;
  let provider = customerProviders.get(key);
  if (!provider) {
    provider = roleProvider(sessionOf(roleArn, externalId), () => platformCredentials());
    customerProviders.set(key, provider);
  }
  return provider;
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
      return await assume(customerProvider(roleArn, externalId), roleArn);
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
