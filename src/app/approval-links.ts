import { signLinkToken } from '../domain/link-token';
import { buttonValue } from '../domain/slack';
import type { StoredApproval } from '../store/approvals';
import type { ApprovalMessage } from '../cloud/ports';
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

/**
 * A link to the approval: GET shows it, POST decides. `nonce` is an email recipient's (their own
 * single-use link); without it, the approval's Slack nonce (the buttons, and the Review link).
 */
export async function approvalLink(
  deps: LinkDeps,
  approval: Pick<StoredApproval, 'tenantId' | 'approvalId' | 'linkNonce' | 'expiresAt'>,
  nonce = approval.linkNonce,
): Promise<{ link: string; token: string }> {
  const token = signLinkToken(await linkKey(deps), {
    tenantId: approval.tenantId,
    approvalId: approval.approvalId,
    nonce,
    expiresAt: Math.floor(Date.parse(approval.expiresAt) / 1000),
  });
  const link = `${deps.pipelineSettings.publicApiUrl}/v1/approvals/${approval.approvalId}?token=${token}`;
  return { link, token };
}

/** The request as the email and the Slack message put it; `nonce` as for approvalLink. */
export async function approvalMessage(
  deps: LinkDeps,
  approval: StoredApproval,
  nonce?: string,
): Promise<ApprovalMessage> {
  const { link, token } = await approvalLink(deps, approval, nonce);
  const recipient = nonce ? approval.emailLinks?.[nonce] : undefined;
  return {
    approvalId: approval.approvalId,
    stackName: approval.stackName,
    stageName: approval.stageName,
    commit: approval.commit,
    requestedBy: approval.requestedBy,
    expiresAt: approval.expiresAt,
    link,
    buttonValue: buttonValue(approval.approvalId, token),
    ...(approval.policy ? { policy: approval.policy } : {}),
    ...(approval.approvals?.length ? { approvals: approval.approvals } : {}),
    ...(recipient ? { recipient } : {}),
    // What the planned deploy changes (issue 13 §3).
    ...(approval.changes ? { changes: approval.changes } : {}),
  };
}
