import type {
  EventBusPort,
  JwtVerifierPort,
  NotificationPort,
  SlackResponseMode,
  WorkflowPort,
} from '../cloud/ports';
import {
  identityOf,
  ONE_APPROVAL,
  refusalOf,
  type Approver,
  type ApprovalPolicy,
} from '../domain/approval-policy';
import { DomainError, notFound } from '../domain/errors';
import { verifyLinkToken } from '../domain/link-token';
import type { ApprovalEntry } from '../domain/pipeline';
import { approvalMessage, linkKey } from './approval-links';
import type { DecisionBody } from '../domain/input/pipeline';
import { isSlackResponseUrl, parseButtonValue, verifySlackRequest } from '../domain/slack';
import { errorFields, log } from '../log';
import type { ApprovalStore, StoredApproval } from '../store/approvals';
import type { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';

export interface ApprovalDeps {
  approvals: ApprovalStore;
  workflows: WorkflowPort;
  /** `Approval Recorded` events, one per approval that counts. */
  bus: EventBusPort;
  platformSecrets: SecretCache;
  notifications: NotificationPort;
  jwtVerifier: JwtVerifierPort;
  pipelineSettings: PipelineSettings;
}

/** Slack's interactivity endpoint only updates the message it was clicked in: it sends no email. */
export type SlackInteractionDeps = Omit<ApprovalDeps, 'notifications'> & {
  notifications: Pick<NotificationPort, 'slackUpdate' | 'slackRefresh'>;
};

/**
 * Who is acting on an approval: the holder of a link (an email recipient's own, or the Slack
 * message's, whose clicks Slack vouches for with the member who clicked) or a signed-in user.
 */
export type ApprovalAccess =
  | { via: 'link'; tenantId: string; nonce: string; slackUserId?: string }
  | { via: 'user'; tenantId: string; userId: string; email?: string };

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
    return {
      via: 'user',
      tenantId: user.tenantId,
      userId: user.userId,
      ...(user.email ? { email: user.email } : {}),
    };
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

/**
 * Who the access is, for this approval: a user; an email recipient by their link, while it is
 * unused and the approval waits (410 once used or decided); a Slack member by the message's buttons.
 * The Slack message's own token opened as a link is nobody in particular (undefined): it shows the
 * approval, and only Slack's buttons decide with it. An approval recorded before per-recipient
 * links has one shared link, which decides as `approval link`.
 */
function approverOf(approval: StoredApproval, access: ApprovalAccess): Approver | undefined {
  if (access.via === 'user')
    return { via: 'user', userId: access.userId, ...(access.email ? { email: access.email } : {}) };
  const recipient = approval.emailLinks?.[access.nonce];
  if (approval.status === 'PENDING' && recipient && !access.slackUserId)
    return { via: 'link', email: recipient };
  if (approval.status !== 'PENDING' || approval.linkNonce !== access.nonce)
    throw gone(
      approval.status === 'PENDING'
        ? 'this approval link was used: each recipient’s link decides once'
        : `this approval link can no longer be used: the approval is ${approval.status.toLowerCase()}`,
    );
  if (access.slackUserId) return { via: 'slack', slackUserId: access.slackUserId };
  return approval.emailLinks ? undefined : { via: 'link', email: LEGACY_LINK };
}

const LEGACY_LINK = 'approval link';

const policyOf = (approval: StoredApproval): ApprovalPolicy => approval.policy ?? ONE_APPROVAL;

/** What the caller may do here, for the page and the dashboard: undefined when the caller is nobody in particular. */
export interface ApprovalViewer {
  by: string;
  mayApprove: boolean;
  mayReject: boolean;
  reason?: string;
}

function viewerOf(approval: StoredApproval, approver: Approver | undefined): ApprovalViewer | undefined {
  if (!approver) return undefined;
  const check = (decision: 'approve' | 'reject') =>
    refusalOf({
      policy: policyOf(approval),
      author: approval.author ?? { logins: [], emails: [] },
      approver,
      decision,
      approvedBy: approval.approvedBy ?? [],
    });
  const approve = check('approve');
  const reject = check('reject');
  const pending = approval.status === 'PENDING';
  return {
    by: identityOf(approver),
    mayApprove: pending && !approve,
    mayReject: pending && !reject,
    ...(approve && pending ? { reason: approve.message } : {}),
  };
}

/** The approval as a signed-in user of the tenant sees it in a list (GET /v1/approvals). */
export function viewerFor(
  approval: StoredApproval,
  user: { userId: string; email?: string },
): ApprovalViewer | undefined {
  return viewerOf(approval, {
    via: 'user',
    userId: user.userId,
    ...(user.email ? { email: user.email } : {}),
  });
}

export async function showApproval(
  deps: Pick<ApprovalDeps, 'approvals'>,
  approvalId: string,
  access: ApprovalAccess,
): Promise<{ approval: StoredApproval; viewer?: ApprovalViewer }> {
  const approval = await find(deps, access, approvalId);
  const viewer = viewerOf(approval, approverOf(approval, access));
  return { approval, ...(viewer ? { viewer } : {}) };
}

/** An approval that no longer waits: 410 when it ended on its own, 409 when someone decided it. */
function assertWaits(approval: StoredApproval): void {
  if (approval.status === 'EXPIRED' || approval.status === 'SUPERSEDED')
    throw gone(`the approval is ${approval.status.toLowerCase()}`);
  if (approval.status === 'REPLANNED') throw gone(replannedMessage(approval));
  if (approval.status !== 'PENDING')
    throw new DomainError(409, 'Conflict', `the approval was already ${approval.status.toLowerCase()}`, {
      status: approval.status,
    });
  if (Date.parse(approval.expiresAt) <= Date.now()) throw gone('the approval has expired');
}

/**
 * Decides, or counts one approval toward, an approval. Who may is the stage's policy's rule
 * (src/domain/approval-policy.ts, refusalOf: 403 not listed or the author, 409 already approved).
 * A reject settles the approval at once; an approval is recorded with a conditional write
 * (distinct by identity, never more than `required`: concurrent clicks are safe), and the one
 * that makes `required` settles it and resumes the workflow; the others return it still PENDING.
 * If the workflow no longer waits (the approval expired meanwhile), the approval is marked
 * EXPIRED and the answer is 410. The task token is read from the record here and never leaves the
 * backend.
 */
export async function decideApproval(
  deps: Pick<ApprovalDeps, 'approvals' | 'workflows' | 'bus'>,
  approvalId: string,
  access: ApprovalAccess,
  body: Pick<DecisionBody, 'decision' | 'comment'>,
): Promise<StoredApproval> {
  const approval = await find(deps, access, approvalId);
  const approver = approverOf(approval, access);
  if (!approver)
    throw forbidden('this is the Slack message’s link: decide with its buttons, or with your own email link');
  assertWaits(approval);
  const refusal = refusalOf({
    policy: policyOf(approval),
    author: approval.author ?? { logins: [], emails: [] },
    approver,
    decision: body.decision,
    approvedBy: approval.approvedBy ?? [],
  });
  if (refusal)
    throw new DomainError(
      refusal.status,
      refusal.status === 403 ? 'Forbidden' : 'Conflict',
      refusal.message,
      {
        reason: refusal.reason,
      },
    );
  const entry: ApprovalEntry = {
    by: identityOf(approver),
    via: approver.via,
    at: new Date().toISOString(),
    ...(body.comment ? { comment: body.comment } : {}),
  };
  // The link it came by is used up by it: an email recipient's by this write, the old shared one by the settle.
  const nonces: { emailNonce?: string; linkNonce?: string } =
    access.via === 'link' && approver.via === 'link'
      ? approver.email === LEGACY_LINK
        ? { linkNonce: access.nonce }
        : { emailNonce: access.nonce }
      : {};
  if (body.decision === 'reject') return settle(deps, access, approval, entry, 'REJECTED', nonces);

  const recorded = await deps.approvals.recordApproval(
    access.tenantId,
    approvalId,
    entry,
    policyOf(approval).required,
    nonces.emailNonce,
  );
  if (!recorded) {
    const now = await find(deps, access, approvalId);
    // Full but not settled: the approval that filled it is settling it, or failed before it could.
    // Settling is one conditional write, so finishing it here resumes the run once either way.
    if (now.status === 'PENDING' && now.taskToken && (now.approvals?.length ?? 0) >= policyOf(now).required)
      await settle(deps, access, now, now.approvals!.at(-1)!, 'APPROVED', {}).catch((error: unknown) =>
        log.warn('a full approval not settled', { approvalId, ...errorFields(error) }),
      );
    explainNotRecorded(now, access, entry);
  }
  const count = recorded.approvals?.length ?? 0;
  if (count < policyOf(recorded).required) {
    await announceRecorded(deps, recorded, entry);
    log.info('approval recorded', {
      approvalId,
      count,
      required: policyOf(recorded).required,
      via: entry.via,
    });
    return recorded;
  }
  return settle(deps, access, recorded, entry, 'APPROVED', { linkNonce: nonces.linkNonce });
}

/** Why an approval could not be recorded, as the error the caller gets. */
function explainNotRecorded(now: StoredApproval, access: ApprovalAccess, entry: ApprovalEntry): never {
  if (now.status === 'PENDING' && !now.taskToken)
    throw new DomainError(409, NOT_WAITING_YET, 'the approval is not waiting yet: try again in a moment');
  if (
    access.via === 'link' &&
    now.status === 'PENDING' &&
    !access.slackUserId &&
    !now.emailLinks?.[access.nonce]
  )
    throw gone('this approval link was used: each recipient’s link decides once');
  assertWaits(now);
  if (now.approvedBy?.includes(entry.by))
    throw new DomainError(409, 'Conflict', `${entry.by} already approved this`, {
      reason: 'already-approved',
    });
  throw new DomainError(409, 'Conflict', 'the approval already has the approvals it needs', {
    status: now.status,
  });
}

/**
 * `Approval Recorded`: an approval that counts without deciding, with how many there are now and
 * how many are needed. The one that decides is the run's `Approval Decided` (its `approvedBy`
 * names everyone), so each approval is in exactly one event, and a one-approval stage's events are
 * what they were before policies.
 */
async function announceRecorded(
  deps: Pick<ApprovalDeps, 'bus'>,
  approval: StoredApproval,
  entry: ApprovalEntry,
) {
  await deps.bus
    .publish([
      {
        detailType: 'Approval Recorded',
        detail: {
          tenantId: approval.tenantId,
          stackId: approval.stackId,
          runId: approval.runId,
          stageName: approval.stageName,
          approvalId: approval.approvalId,
          by: entry.by,
          via: entry.via,
          count: approval.approvals?.length ?? 0,
          required: policyOf(approval).required,
        },
      },
    ])
    .catch((error: unknown) => log.warn('approval recorded, its event not sent', errorFields(error)));
}

/**
 * Takes the approval from PENDING to its decision in one conditional write (an APPROVED only with
 * its `required` approvals), then tells the waiting workflow.
 */
async function settle(
  deps: Pick<ApprovalDeps, 'approvals' | 'workflows'>,
  access: ApprovalAccess,
  approval: StoredApproval,
  entry: ApprovalEntry,
  status: 'APPROVED' | 'REJECTED',
  nonces: { emailNonce?: string; linkNonce?: string },
): Promise<StoredApproval> {
  const { approvalId } = approval;
  const settled = await deps.approvals.settleApproval(access.tenantId, approvalId, {
    status,
    decidedBy: entry.by,
    decidedVia: entry.via,
    ...(entry.comment ? { comment: entry.comment } : {}),
    ...nonces,
    requireWaiting: true,
    ...(status === 'APPROVED' ? { requireApprovals: policyOf(approval).required } : {}),
  });
  if (!settled) {
    const now = await find(deps, access, approvalId);
    // Two approvals finishing the same approval at once: the other one settled it.
    if (status === 'APPROVED' && now.status === 'APPROVED') return now;
    explainNotRecorded(now, access, entry);
  }
  const approvedBy = (settled.approvals ?? []).map((a) => a.by);
  const delivery =
    status === 'APPROVED'
      ? await deps.workflows.sendTaskSuccess(settled.taskToken!, {
          decision: status,
          decidedBy: entry.by,
          approvedBy,
        })
      : await deps.workflows.sendTaskFailure(settled.taskToken!, 'ApprovalRejected', entry.by);
  if (delivery === 'gone') {
    await deps.approvals.markApprovalExpired(access.tenantId, approvalId);
    throw gone('the approval expired before the decision arrived');
  }
  log.info('approval decided', { approvalId, status, via: entry.via });
  return {
    ...settled,
    status,
    decidedBy: entry.by,
    decidedVia: entry.via,
    decidedAt: new Date().toISOString(),
    ...(entry.comment ? { comment: entry.comment } : {}),
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

  const respond = async (send: (url: string) => Promise<void>) => {
    if (interaction.response_url && isSlackResponseUrl(interaction.response_url))
      await send(interaction.response_url).catch((error: unknown) =>
        log.warn('slack message not updated', errorFields(error)),
      );
  };
  const slackUserId = interaction.user?.id;
  let text: string;
  let mode: SlackResponseMode = 'replace';
  try {
    if (!slackUserId || !/^[UW][A-Z0-9]{2,20}$/.test(slackUserId))
      throw new DomainError(400, 'ValidationError', 'Slack did not say who clicked', {
        field: 'payload.user.id',
      });
    const access = await accessOf(deps, button.approvalId, { token: button.token });
    if (access.via !== 'link') throw forbidden('this button carries no approval link');
    const decided = await decideApproval(
      deps,
      button.approvalId,
      { ...access, slackUserId },
      { decision: action!.action_id as 'approve' | 'reject' },
    );
    if (decided.status === 'PENDING') {
      // Counted, and others still have to approve: the message shows who has, and keeps its buttons.
      const message = await approvalMessage(deps, decided);
      await respond((url) => deps.notifications.slackRefresh(url, message));
      return;
    }
    const approvals = decided.approvals ?? [];
    text =
      `${decided.status === 'APPROVED' ? '✅ Approved' : '❌ Rejected'} by <@${slackUserId}>: deploy ${decided.commit.sha?.slice(0, 7) ?? ''} of ${decided.stackName} to ${decided.stageName}` +
      (decided.status === 'APPROVED' && approvals.length > 1
        ? ` (approvals: ${approvals.map((a) => (a.by.startsWith('slack:') ? `<@${a.by.slice(6)}>` : a.by)).join(', ')})`
        : '');
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500) throw error;
    text = `Not decided: ${error.message}`;
    // Only the clicker hears why they may not (yet): the buttons stay for the others.
    if (error.code === NOT_WAITING_YET || error.status === 403 || error.status === 409) mode = 'ephemeral';
  }
  await respond((url) => deps.notifications.slackUpdate(url, text, mode));
}
