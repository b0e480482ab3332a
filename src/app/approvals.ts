import type { JwtVerifierPort, NotificationPort, SlackResponseMode, WorkflowPort } from '../cloud/ports';
import { DomainError, notFound } from '../domain/errors';
import { verifyLinkToken } from '../domain/link-token';
import { linkKey } from './approval-links';
import type { Approval } from '../domain/pipeline';
import { decisionBody, type DecisionBody } from '../domain/input/pipeline';
import { isSlackResponseUrl, parseButtonValue, verifySlackRequest } from '../domain/slack';
import type { HttpResult } from '../http/route';
import { parsePart } from '../domain/input/parse';
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

export const approvalView = (a: Approval) => ({
  approvalId: a.approvalId,
  stackId: a.stackId,
  stackName: a.stackName,
  runId: a.runId,
  stageName: a.stageName,
  commit: a.commit,
  requestedBy: a.requestedBy,
  requestedAt: a.requestedAt,
  expiresAt: a.expiresAt,
  status: a.status,
  decidedBy: a.decidedBy ?? null,
  decidedVia: a.decidedVia ?? null,
  decidedAt: a.decidedAt ?? null,
  comment: a.comment ?? null,
});

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

// ---- HTML ----------------------------------------------------------------------------------------

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The dashboard's look (web/src/styles.css: its colours, type, card and buttons), inline: the page
 * works without the dashboard, without JavaScript, and under a CSP that allows nothing else.
 */
const LOOK =
  ':root{--bg:#f6f7fb;--surface:#fff;--text:#1c2333;--muted:#5b6478;--border:#dde1ea;--accent:#4338ca;--accent-text:#fff;--fail:#b91c1c;color-scheme:light dark}' +
  '@media (prefers-color-scheme:dark){:root{--bg:#0f1320;--surface:#171c2c;--text:#e6e9f2;--muted:#a3abbf;--border:#2d3550;--accent:#a5b4fc;--accent-text:#111827;--fail:#fca5a5}}' +
  "*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;background:var(--bg);color:var(--text)}" +
  '.topbar{display:flex;align-items:center;gap:.5rem;padding:.6rem 1.25rem;background:var(--surface);border-bottom:1px solid var(--border);font-weight:700}' +
  '.mark{width:18px;height:18px;border-radius:4px;background:linear-gradient(180deg,#06b6d4 45%,#4f46e5 45%)}' +
  'main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}h1{font-size:1.5rem;margin:0 0 1rem}' +
  '.card{background:var(--surface);border:1px solid var(--border);border-radius:8px;padding:1rem}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:0 0 1rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}' +
  'label{font-weight:600;font-size:.92em}textarea{display:block;width:100%;margin-top:.25rem;font:inherit;color:var(--text);background:var(--surface);border:1px solid #8b93a7;border-radius:6px;padding:.4rem .55rem}' +
  'button{font:inherit;font-weight:600;padding:.45rem .9rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);cursor:pointer;margin:.75rem .5rem 0 0;min-height:2.25rem}' +
  'button[value=reject]{background:transparent;color:var(--fail);border-color:var(--fail)}' +
  ':focus-visible{outline:3px solid var(--accent);outline-offset:2px}';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta name="robots" content="noindex"><title>${escape(title)}</title><style>${LOOK}</style></head>` +
  `<body><header class="topbar"><span class="mark" aria-hidden="true"></span>TinyStacks</header>` +
  `<main><div class="card">${body}</div></main></body></html>`;

/** What a GET on the link shows: what is being approved, and a form. Nothing changes until it is posted. */
export function approvalPage(approval: Approval, token: string | undefined): string {
  const rows: [string, string][] = [
    ['Stack', approval.stackName],
    ['Stage', approval.stageName],
    [
      'Commit',
      `${approval.commit.sha?.slice(0, 12) ?? 'head of the branch'}${approval.commit.message ? ` — ${approval.commit.message}` : ''}`,
    ],
    ['Author', approval.commit.author ?? '—'],
    ['Requested by', approval.requestedBy],
    ['Requested at', approval.requestedAt],
    ['Expires at', approval.expiresAt],
    ['Status', approval.status],
  ];
  const form =
    approval.status === 'PENDING'
      ? `<form method="post" action="/v1/approvals/${escape(approval.approvalId)}">` +
        (token ? `<input type="hidden" name="token" value="${escape(token)}">` : '') +
        `<p><label>Comment (optional)<br><textarea name="comment" rows="3" maxlength="1000"></textarea></label></p>` +
        `<button type="submit" name="decision" value="approve">Approve</button>` +
        `<button type="submit" name="decision" value="reject">Reject</button></form>`
      : '';
  return page(
    `Approve ${approval.stageName} of ${approval.stackName}`,
    `<h1>Deploy to ${escape(approval.stageName)}?</h1><dl>${rows
      .map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`)
      .join('')}</dl>${form}`,
  );
}

export const messagePage = (title: string, message: string) =>
  page(title, `<h1>${escape(title)}</h1><p>${escape(message)}</p>`);

/** Forms post `application/x-www-form-urlencoded`; the frontend posts JSON. Both are validated alike. */
export function parseDecision(rawBody: string, contentType: string | undefined): DecisionBody {
  let value: unknown;
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    value = Object.fromEntries(new URLSearchParams(rawBody));
    const v = value as Record<string, string>;
    if (v.comment === '') delete v.comment;
  } else {
    try {
      value = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
    } catch {
      throw new DomainError(400, 'ValidationError', 'body must be valid JSON', { field: 'body' });
    }
  }
  return parsePart(decisionBody, value, 'body');
}

export const wantsHtml = (headers: Record<string, string | undefined>) =>
  !(headers.accept ?? '').includes('application/json') && (headers.accept ?? '').includes('text/html');

/** An error page for a browser, the usual JSON error for everyone else. */
export function htmlError(error: unknown): HttpResult | undefined {
  if (!(error instanceof DomainError) || error.status >= 500) return undefined;
  return {
    statusCode: error.status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: messagePage(error.status === 410 ? 'Link no longer valid' : 'Cannot do that', error.message),
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
): Promise<HttpResult> {
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
    return { statusCode: 200, body: {} };

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
  return { statusCode: 200, body: {} };
}
