import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DomainError } from '../../domain/errors';
import type { AccountPort } from '../ports';
import { isAccessDenied } from './aws-errors';

/**
 * Signs with this function's own role, the verifier principal the trust policy names with the
 * external id condition; the platform principal has no such condition, so it could not prove anything.
 */
const sts = new STSClient({});

export const accounts: AccountPort = {
  async verifyRole(roleArn, externalId) {
    try {
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          ExternalId: externalId,
          RoleSessionName: 'tinystacks-verify',
          DurationSeconds: 900,
        }),
      );
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
