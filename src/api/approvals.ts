import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { accessOf, decideApproval, showApproval, viewerFor, type ApprovalViewer } from '../app/approvals';
import { ONE_APPROVAL } from '../domain/approval-policy';
import { APPROVAL_STATUSES, type Approval } from '../domain/pipeline';
import { decisionBody } from '../domain/input/pipeline';
import { pageLimit, nextToken } from '../domain/input/fields';
import { defineRoute, type HttpResult } from '../http/route';
import { approvalPage, htmlError, messagePage, parseDecision, wantsHtml } from './approval-pages';
import { page, responses } from './common';
import { pageOf } from './views';

/** What reading a link needs; deciding also tells the waiting workflow. */
type ShowDeps = Pick<ApiDeps, 'approvals' | 'platformSecrets' | 'jwtVerifier' | 'pipelineSettings'>;
type DecideDeps = ShowDeps & Pick<ApiDeps, 'workflows' | 'bus'>;

export const approvalView = (a: Approval, viewer?: ApprovalViewer) => ({
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
  ...changesView(a),
  ...policyView(a, viewer),
});

/** The approval policy's part of an approval: what it needs, who approved so far, and what the caller may do. */
const policyView = (a: Approval, viewer: ApprovalViewer | undefined) => {
  const policy = a.policy ?? ONE_APPROVAL;
  return {
    required: policy.required,
    approvers: policy.approvers,
    allowSelfApproval: policy.allowSelfApproval,
    approvals: (a.approvals ?? []).map((e) => ({
      by: e.by,
      via: e.via,
      at: e.at,
      comment: e.comment ?? null,
    })),
    author: a.author ?? null,
    you: viewer
      ? {
          by: viewer.by,
          mayApprove: viewer.mayApprove,
          mayReject: viewer.mayReject,
          reason: viewer.reason ?? null,
        }
      : null,
  };
};

const via = z.enum(['link', 'slack', 'user']);

// ---- what the planned deploy changes (issue 13 §3) ---------------------------------------------

const changesView = (a: Approval) => ({
  changes: a.changes ?? null,
  closedReason: a.closedReason ?? null,
  replacedBy: a.replacedBy ?? null,
});

const changesSchema = z.object({
  image: z.object({ from: z.nullable(z.string()), to: z.string() }),
  commits: z.object({
    compareUrl: z.nullable(z.string()),
    count: z.optional(z.number()),
  }),
  environment: z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.string()),
  }),
  resources: z.array(
    z.object({
      logicalId: z.string(),
      type: z.string(),
      action: z.enum(['Add', 'Modify', 'Remove', 'Import', 'Dynamic']),
      replacement: z.nullable(z.enum(['True', 'False', 'Conditional'])),
    }),
  ),
});

const changesFields = {
  changes: z.nullable(changesSchema),
  closedReason: z.nullable(z.string()),
  replacedBy: z.nullable(z.string()),
};

const nullableString = z.nullable(z.string());

export const approvalSchema = z.object({
  approvalId: z.string(),
  stackId: z.string(),
  stackName: z.string(),
  runId: z.string(),
  stageName: z.string(),
  commit: z.object({
    sha: z.optional(z.string()),
    message: z.optional(z.string()),
    author: z.optional(z.string()),
    url: z.optional(z.string()),
  }),
  requestedBy: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  decidedBy: nullableString,
  decidedVia: z.nullable(via),
  decidedAt: nullableString,
  comment: nullableString,
  ...changesFields,
  /** Distinct approvals needed (the stage's approval policy when the run reached it). */
  required: z.number(),
  /** Who may decide (null: any user of the tenant and anyone the request was sent to). */
  approvers: z.nullable(z.array(z.string())),
  allowSelfApproval: z.boolean(),
  /** The approvals so far, in order: `by` is an email, a user id or `slack:<member id>`. */
  approvals: z.array(z.object({ by: z.string(), via, at: z.string(), comment: nullableString })),
  /** Who the change comes from (the run's author): barred from approving unless allowSelfApproval. */
  author: z.nullable(z.object({ logins: z.array(z.string()), emails: z.array(z.string()) })),
  /** What the caller may do (null when the caller is nobody in particular: the Slack message's link). */
  you: z.nullable(
    z.object({ by: z.string(), mayApprove: z.boolean(), mayReject: z.boolean(), reason: nullableString }),
  ),
});

const approvalParams = z.strictObject({
  approvalId: z.string().check(z.regex(/^apr_[0-9a-z]{26}$/, 'is not an approval id')),
});

const LINK_ERRORS = {
  401: 'Neither a link token nor a valid bearer token',
  403: 'The link token was tampered with, or belongs to another approval',
  404: 'No such approval (also for another tenant’s)',
  409: 'Already decided (by a user), or not waiting yet',
  410: 'The link was used, or the approval expired or was superseded',
  413: 'The body is over 16 KB: it was not read',
};
const linkErrors = (codes: (keyof typeof LINK_ERRORS)[]) =>
  Object.fromEntries(codes.map((code) => [code, { description: LINK_ERRORS[code] }]));

async function asPage(html: boolean, run: () => Promise<HttpResult>): Promise<HttpResult> {
  if (!html) return run();
  try {
    return await run();
  } catch (error) {
    const page = htmlError(error);
    if (page) return page;
    throw error;
  }
}

export const getApprovalRoute = defineRoute({
  method: 'GET',
  path: '/v1/approvals/{approvalId}',
  operationId: 'getApproval',
  summary:
    'What an approval link shows: stack, stage, commit, who asked and when, and a form (HTML; JSON with Accept: application/json). A GET never decides: mail scanners open links',
  tag: 'Approvals',
  auth: 'none',
  unit: 'approvals',
  permissions: ['table:read', 'platformSecrets:read'],
  params: approvalParams,
  query: z.strictObject({ token: z.optional(z.string().check(z.maxLength(1024, 'is too long'))) }),
  responses: {
    200: { description: 'The approval', schema: approvalSchema },
    ...linkErrors([401, 403, 404, 410]),
  },
  async handle(req, deps: ShowDeps) {
    const html = wantsHtml(req.headers);
    return asPage(html, async (): Promise<HttpResult> => {
      const access = await accessOf(deps, req.params.approvalId, {
        token: req.query.token,
        authorization: req.headers.authorization,
      });
      const { approval, viewer } = await showApproval(deps, req.params.approvalId, access);
      return html
        ? {
            statusCode: 200,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
              'referrer-policy': 'no-referrer',
            },
            body: approvalPage(approval, req.query.token, viewer),
          }
        : { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: approvalView(approval, viewer) };
    });
  },
});

export const decideApprovalRoute = defineRoute({
  method: 'POST',
  path: '/v1/approvals/{approvalId}',
  operationId: 'decideApproval',
  summary:
    'Approve or reject: with the link token (a form post or JSON `token`) or a bearer token of a user of the tenant. A second decision is a 409; a used, expired or superseded link a 410',
  tag: 'Approvals',
  auth: 'none',
  unit: 'approvals',
  permissions: ['table:read', 'table:update', 'workflows:resume', 'platformSecrets:read', 'events:publish'],
  raw: { maxBytes: 16 * 1024 },
  params: approvalParams,
  query: z.strictObject({ token: z.optional(z.string().check(z.maxLength(1024, 'is too long'))) }),
  body: decisionBody,
  responses: {
    200: { description: 'The decided approval', schema: approvalSchema },
    400: { description: 'Invalid decision: the error names the field' },
    ...linkErrors([401, 403, 404, 409, 410, 413]),
  },
  async handle(req, deps: DecideDeps) {
    const html = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    return asPage(html, async (): Promise<HttpResult> => {
      const body = parseDecision(req.rawBody, req.headers['content-type']);
      const access = await accessOf(deps, req.params.approvalId, {
        token: body.token ?? req.query.token,
        authorization: req.headers.authorization,
      });
      const decided = await decideApproval(deps, req.params.approvalId, access, body);
      // A signed-in user (the dashboard) is told what they may still do; a link is used up.
      if (!html)
        return {
          statusCode: 200,
          body: approvalView(decided, access.via === 'user' ? viewerFor(decided, access) : undefined),
        };
      if (decided.status === 'PENDING') {
        const count = decided.approvals?.length ?? 0;
        const required = decided.policy?.required ?? 1;
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
          body: messagePage(
            'Approval recorded',
            `Your approval of ${decided.stageName} of ${decided.stackName} is recorded: ${count} of ${required}. The deploy waits for ${required - count} more. You can close this page.`,
          ),
        };
      }
      const verb = decided.status === 'APPROVED' ? 'Approved' : 'Rejected';
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        body: messagePage(
          verb,
          `${verb}: ${decided.stageName} of ${decided.stackName}. You can close this page.`,
        ),
      };
    });
  },
});

export const listApprovalsRoute = defineRoute({
  method: 'GET',
  path: '/v1/approvals',
  operationId: 'listApprovals',
  summary: 'The tenant’s approvals waiting for a decision, newest first (for the dashboard)',
  tag: 'Approvals',
  auth: 'jwt',
  unit: 'api',
  permissions: ['table:read', 'index:query'],
  query: z.strictObject({ status: z.optional(z.enum(['pending'])), limit: pageLimit, nextToken }),
  responses: responses(
    { 200: { description: 'A page of approvals', schema: pageOf(approvalSchema) } },
    [400, 401],
  ),
  async handle(req, deps: Pick<ApiDeps, 'approvals'>) {
    const result = await deps.approvals.listPendingApprovals(req.caller.tenantId, req.query);
    const live = result.items.filter((a) => Date.parse(a.expiresAt) > Date.now());
    return {
      statusCode: 200,
      body: page(
        live.map((a) => approvalView(a, viewerFor(a, req.caller))),
        result.nextToken,
      ),
    };
  },
});
