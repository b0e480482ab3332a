import type { JwtVerifierPort, NotificationPort, SlackResponseMode, WorkflowPort } from '../cloud/ports';
import { DomainError, notFound } from '../domain/errors';
import { verifyLinkToken } from '../domain/link-token';
import { linkKey } from './approval-links';
import type { DecisionBody } from '../domain/input/pipeline';
import { isSlackResponseUrl, parseButtonValue, verifySlackRequest } from '../domain/slack';
import { errorFields, log } from '../log';
import type { ApprovalStore, StoredApproval } from '../store/approvals';
import type { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';

export interface ApprovalDeps {
  approvals: ApprovalStore;
  workflows: WorkflowPort;
  platformSecrets: SecretCache;
  notifications: NotificationPort;
  jwtVerifier: JwtVerifierPort;
  pipelineSettings: PipelineSettings;
}

/** Slack's interactivity endpoint only updates the message it was clicked in: it sends no email. */
export type SlackInteractionDeps = Omit<ApprovalDeps, 'notifications'> & {
  notifications: Pick<NotificationPort, 'slackUpdate'>;
};

/** Who is acting on an approval: a link holder (email, Slack) or a signed-in user of the tenant. */
export type ApprovalAccess =
  | { via: 'link'; tenantId: string; nonce: string; actor?: string }
  | { via: 'user'; tenantId: string; userId: string };

/**
 * The request went out just before the workflow parked its token (SendApprovalRequest runs first):
 * a click in between is told to try again, and Slack keeps the message's buttons for that.
 */
const NOT_WAITING_YET = 'NotWaitingYet';

const gone = (message: string) => new DomainError(410, 'Gone', message);
const forbidden = (message: string) => new DomainError(403, 'Forbidden', message);
const unauthorized = (message: string) => new DomainError(401, 'Unauthorized', message);

/**
 * A link token (403 when tampered with or for another approval, 410 when expired) or a bearer JWT
 * (verified here: this route has no API Gateway authorizer, links must work without a session).
 */
export async function accessOf(
  deps: Pick<ApprovalDeps, 'platformSecrets' | 'pipelineSettings' | 'jwtVerifier'>,
  approvalId: string,
  credentials: { token?: string; authorization?: string },
): Promise<ApprovalAccess> {
  if (credentials.token) {
    const check = verifyLinkToken(await linkKey(deps), credentials.token);
    if (!check.ok && check.reason === 'expired') throw gone('this approval link has expired');
    if (!check.ok || check.claims.approvalId !== approvalId)
      throw forbidden('this approval link is not valid');
    return { via: 'link', tenantId: check.claims.tenantId, nonce: check.claims.nonce };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(credentials.authorization ?? '')?.[1];
  if (bearer) {
    const user = await deps.jwtVerifier.verify(bearer);
    if (!user) throw unauthorized('the bearer token is not valid');
    return { via: 'user', tenantId: user.tenantId, userId: user.userId };
  }
  throw unauthorized('an approval link token (?token=) or a bearer token is required');
}

async function find(deps: Pick<ApprovalDeps, 'approvals'>, access: ApprovalAccess, approvalId: string) {
  const approval = await deps.approvals.getApproval(access.tenantId, approvalId);
  if (!approval) throw notFound(`approval ${approvalId}`);
  return approval;
}

/** Issue 13 §3: an approval whose deploy was planned again is decided on its successor. */
const replannedMessage = (approval: StoredApproval) =>
  `the deploy was planned again (${approval.closedReason ?? 'the stage changed'})` +
  (approval.replacedBy ? `: decide approval ${approval.replacedBy}` : ': a new approval follows');

/** A link works once, while its approval waits: afterwards it is gone (410), whoever used it. */
function assertLinkUsable(approval: StoredApproval, access: ApprovalAccess) {
  if (access.via !== 'link') return;
  if (approval.status !== 'PENDING' || approval.linkNonce !== access.nonce)
    throw gone(`this approval link can no longer be used: the approval is ${approval.status.toLowerCase()}`);
}

export async function showApproval(
  deps: Pick<ApprovalDeps, 'approvals'>,
  approvalId: string,
  access: ApprovalAccess,
) {
  const approval = await find(deps, access, approvalId);
  assertLinkUsable(approval, access);
  return approval;
}

/**
 * Decides an approval, once: a conditional write takes it from PENDING to the decision (a second
 * decision is a 409, a used link a 410), then the waiting workflow is told. If the workflow no
 * longer waits (the approval expired meanwhile), the decision is undone as EXPIRED and the answer
 * is 410. The task token is read from the record here and never leaves the backend.
 */
export async function decideApproval(
  deps: Pick<ApprovalDeps, 'approvals' | 'workflows'>,
  approvalId: string,
  access: ApprovalAccess,
  body: Pick<DecisionBody, 'decision' | 'comment'>,
): Promise<StoredApproval> {
  const approval = await find(deps, access, approvalId);
  assertLinkUsable(approval, access);
  if (approval.status === 'EXPIRED' || approval.status === 'SUPERSEDED')
    throw gone(`the approval is ${approval.status.toLowerCase()}`);
  if (approval.status === 'REPLANNED') throw gone(replannedMessage(approval));
  if (approval.status !== 'PENDING')
    throw new DomainError(409, 'Conflict', `the approval was already ${approval.status.toLowerCase()}`, {
      status: approval.status,
    });
  if (Date.parse(approval.expiresAt) <= Date.now()) throw gone('the approval has expired');

  const decidedBy = access.via === 'user' ? access.userId : (access.actor ?? 'approval link');
  const status = body.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  const decidedVia = access.via === 'user' ? 'user' : access.actor ? 'slack' : 'link';
  const settled = await deps.approvals.settleApproval(access.tenantId, approvalId, {
    status,
    decidedBy,
    decidedVia,
    ...(body.comment ? { comment: body.comment } : {}),
    ...(access.via === 'link' ? { linkNonce: access.nonce } : {}),
    requireWaiting: true,
  });
  if (!settled) {
    const now = await find(deps, access, approvalId);
    if (now.status === 'PENDING' && !now.taskToken)
      throw new DomainError(409, NOT_WAITING_YET, 'the approval is not waiting yet: try again in a moment');
    assertLinkUsable(now, access);
    if (now.status === 'REPLANNED') throw gone(replannedMessage(now));
    if (now.status === 'EXPIRED' || now.status === 'SUPERSEDED' || now.status === 'PENDING')
      throw gone('the approval has expired');
    throw new DomainError(409, 'Conflict', `the approval was already ${now.status.toLowerCase()}`, {
      status: now.status,
    });
  }
  const delivery =
    status === 'APPROVED'
      ? await deps.workflows.sendTaskSuccess(settled.taskToken!, { decision: status, decidedBy })
      : await deps.workflows.sendTaskFailure(settled.taskToken!, 'ApprovalRejected', decidedBy);
  if (delivery === 'gone') {
    await deps.approvals.markApprovalExpired(access.tenantId, approvalId);
    throw gone('the approval expired before the decision arrived');
  }
  log.info('approval decided', { approvalId, status, via: access.via });
  return {
    ...settled,
    status,
    decidedBy,
    decidedVia,
    decidedAt: new Date().toISOString(),
    ...(body.comment ? { comment: body.comment } : {}),
  };
}

// ---- Slack -----------------------------------------------------------------------------------------

interface SlackInteraction {
  type?: string;
  user?: { id?: string; username?: string; name?: string };
  actions?: { action_id?: string; value?: string }[];
  response_url?: string;
}

/**
 * Slack's interactivity endpoint. The request is signed with the app's signing secret over
 * `v0:<timestamp>:<raw body>` and refused when older than 5 minutes. A button carries the
 * approval's link token, so a click decides exactly as the link would. Slack wants an answer
 * within 3 seconds: the decision is one conditional write and one SendTask* call, and the message
 * is updated through response_url with a short timeout.
 */
export async function receiveSlackInteraction(
  deps: SlackInteractionDeps,
  headers: Record<string, string | undefined>,
  rawBody: string,
): Promise<void> {
  const stored = await deps.platformSecrets.get(deps.pipelineSettings.slackSecretName);
  const signingSecret = stored ? (JSON.parse(stored) as { signingSecret?: string }).signingSecret : undefined;
  const check = signingSecret
    ? verifySlackRequest({
        signingSecret,
        rawBody,
        timestamp: headers['x-slack-request-timestamp'],
        signature: headers['x-slack-signature'],
      })
    : 'invalid';
  if (check !== 'ok')
    throw unauthorized(
      check === 'stale' ? 'the request is older than 5 minutes' : 'the Slack signature does not match',
    );

  let interaction: SlackInteraction;
  try {
    interaction = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '') as SlackInteraction;
  } catch {
    throw new DomainError(400, 'ValidationError', 'payload must be JSON', { field: 'payload' });
  }
  const action = interaction.actions?.[0];
  const button = action?.value ? parseButtonValue(action.value) : undefined;
  if (
    interaction.type !== 'block_actions' ||
    !button ||
    !['approve', 'reject'].includes(action?.action_id ?? '')
  )
    return;

  const actor = `slack:${interaction.user?.username ?? interaction.user?.name ?? interaction.user?.id ?? 'unknown'}`;
  let text: string;
  let mode: SlackResponseMode = 'replace';
  try {
    const access = await accessOf(deps, button.approvalId, { token: button.token });
    const decided = await decideApproval(deps, button.approvalId, { ...access, actor } as ApprovalAccess, {
      decision: action!.action_id as 'approve' | 'reject',
    });
    text = `${decided.status === 'APPROVED' ? '✅ Approved' : '❌ Rejected'} by ${actor.slice(6)}: deploy ${decided.commit.sha?.slice(0, 7) ?? ''} of ${decided.stackName} to ${decided.stageName}`;
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500) throw error;
    text = `Not decided: ${error.message}`;
    if (error.code === NOT_WAITING_YET) mode = 'ephemeral';
  }
  if (interaction.response_url && isSlackResponseUrl(interaction.response_url)) {
    await deps.notifications
      .slackUpdate(interaction.response_url, text, mode)
      .catch((error: unknown) => log.warn('slack message not updated', errorFields(error)));
  }
}
