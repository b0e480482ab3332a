import { DomainError } from '../../domain/errors';
import type { AccountPort } from '../ports';
import { isAccessDenied } from './aws-errors';
import { BoundedCache } from './bounded-cache';
import { roleProvider, type RoleProvider } from './role-provider';

/**
 * AssumeRole signed with this function's own role, the verifier principal the trust policy names
 * with the external id condition; the platform principal has no such condition, so it could not
 * prove anything. A provider (./role-provider.ts) is kept per role and external id, so a repeated
 * check reuses it.
 */
const verifiers = new BoundedCache<RoleProvider>(20);

function verifier(roleArn: string, externalId: string) {
  const key = `${roleArn}|${externalId}`;
  let provider = verifiers.get(key);
  if (!provider) {
    provider = roleProvider({
      RoleArn: roleArn,
      ExternalId: externalId,
      RoleSessionName: 'tinystacks-verify',
      DurationSeconds: 900,
    });
    verifiers.set(key, provider);
  }
  return provider;
}

export const accounts: AccountPort = {
  async verifyRole(roleArn, externalId) {
    try {
      await verifier(roleArn, externalId)();
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      throw new DomainError(
        400,
        'RoleNotAssumable',
        `cannot assume ${roleArn}: its trust policy must allow the TinyStacks principals with your external id (see GET /v1/account/role-setup)`,
        { field: 'roleArn' },
      );
    }
  },
};
