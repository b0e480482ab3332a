import { signLinkToken } from '../domain/link-token';
import type { StoredApproval } from '../store/approvals';
import type { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';

/**
 * Approval links, signed with the platform's link key. Apart from ./approvals.ts (the routes'
 * logic) so that the task sending the links bundles none of the routes' input schemas.
 */
interface LinkDeps {
  platformSecrets: SecretCache;
  pipelineSettings: PipelineSettings;
}

export const linkKey = (deps: LinkDeps) =>
  deps.platformSecrets.require(deps.pipelineSettings.linkKeySecretName);

/** The single-use link of an approval: GET shows it, POST decides. */
export async function approvalLink(
  deps: LinkDeps,
  approval: Pick<StoredApproval, 'tenantId' | 'approvalId' | 'linkNonce' | 'expiresAt'>,
): Promise<{ link: string; token: string }> {
  const token = signLinkToken(await linkKey(deps), {
    tenantId: approval.tenantId,
    approvalId: approval.approvalId,
    nonce: approval.linkNonce,
    expiresAt: Math.floor(Date.parse(approval.expiresAt) / 1000),
  });
  const link = `${deps.pipelineSettings.publicApiUrl}/v1/approvals/${approval.approvalId}?token=${token}`;
  return { link, token };
}
