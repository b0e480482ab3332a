import { DomainError } from '../domain/errors';
import { decisionBody, type DecisionBody } from '../domain/input/pipeline';
import { parsePart } from '../domain/input/parse';
import type { DeployChanges } from '../domain/changes';
import type { Approval } from '../domain/pipeline';
import type { ApprovalViewer } from '../app/approvals';
import { ONE_APPROVAL } from '../domain/approval-policy';
import type { HttpResult } from '../http/route';

/**
 * What an approval link shows a browser: a page of what is being approved with its form, and the
 * pages that answer a decision or an error. The routes are in ./approvals.ts.
 */

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
  ':focus-visible{outline:3px solid var(--accent);outline-offset:2px}' +
  'h2{font-size:1.1rem;margin:1rem 0 .5rem}.changes{margin:0 0 1rem;padding-left:1.2rem}.changes ul{padding-left:1.2rem}' +
  'code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}a{color:var(--accent)}';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta name="robots" content="noindex"><title>${escape(title)}</title><style>${LOOK}</style></head>` +
  `<body><header class="topbar"><span class="mark" aria-hidden="true"></span>TinyStacks</header>` +
  `<main><div class="card">${body}</div></main></body></html>`;

/** What a GET on the link shows: what is being approved, and a form. Nothing changes until it is posted. */
export function approvalPage(approval: Approval, token: string | undefined, viewer?: ApprovalViewer): string {
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
    ...policyRows(approval),
  ];
  const form = approval.status === 'PENDING' ? decisionForm(approval, token, viewer) : '';
  return page(
    `Approve ${approval.stageName} of ${approval.stackName}`,
    `<h1>Deploy to ${escape(approval.stageName)}?</h1><dl>${rows
      .map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`)
      .join('')}</dl>${approval.changes ? changesHtml(approval.changes) : ''}${closedHtml(approval)}${form}`,
  );
}

// ---- what the planned deploy changes (issue 13 §3) ---------------------------------------------

const shortImage = (image: string) => image.replace(/^.*\//, '');

/** The change in a few lines: the image, the commits (linked), variables by name, resources (replacement called out). */
export function changesHtml(changes: DeployChanges): string {
  const { image, commits, environment, resources } = changes;
  const count =
    commits.count === undefined ? 'Commits' : `${commits.count} commit${commits.count === 1 ? '' : 's'}`;
  const names = (label: string, list: string[]) =>
    list.length ? [`${label} <code>${list.map(escape).join('</code>, <code>')}</code>`] : [];
  const variables = [
    ...names('added', environment.added),
    ...names('removed', environment.removed),
    ...names('changed', environment.changed),
  ];
  const resource = (r: DeployChanges['resources'][number]) =>
    `<li>${escape(r.action)} <code>${escape(r.logicalId)}</code> (${escape(r.type)})` +
    (r.replacement === 'True'
      ? ' — <strong>replaced</strong>'
      : r.replacement === 'Conditional'
        ? ' — may be replaced'
        : '') +
    '</li>';
  const items = [
    `<li>Image: <code>${escape(image.from ? shortImage(image.from) : 'none')}</code> → <code>${escape(shortImage(image.to))}</code></li>`,
    `<li>${count}: ${commits.compareUrl ? `<a href="${escape(commits.compareUrl)}" rel="noreferrer">compare on GitHub</a>` : 'the first commit this stage gets'}</li>`,
    `<li>Variables: ${variables.length ? variables.join('; ') : 'no change'}</li>`,
    `<li>Resources: ${resources.length ? `<ul>${resources.map(resource).join('')}</ul>` : 'no change'}</li>`,
  ];
  return `<h2>What approving deploys</h2><ul class="changes">${items.join('')}</ul>`;
}

/** A REPLANNED approval says why, and which approval replaced it. */
function closedHtml(approval: Approval): string {
  if (approval.status !== 'REPLANNED') return '';
  return (
    `<p><strong>Planned again:</strong> ${escape(approval.closedReason ?? 'the stage changed')}.` +
    (approval.replacedBy ? ` Decide approval <code>${escape(approval.replacedBy)}</code> instead.` : '') +
    '</p>'
  );
}

// ---- approval policies ----------------------------------------------------------------------

/** What the policy needs and who approved so far. */
function policyRows(approval: Approval): [string, string][] {
  const policy = approval.policy ?? ONE_APPROVAL;
  const approvals = approval.approvals ?? [];
  return [
    [
      'Needs',
      `${policy.required} approval${policy.required === 1 ? '' : 's'}` +
        (policy.approvers ? ` from ${policy.approvers.join(', ')}` : '') +
        (policy.allowSelfApproval ? '' : '; not by the change’s author'),
    ],
    [
      `Approved (${approvals.length} of ${policy.required})`,
      approvals.length > 0
        ? approvals.map((a) => `${a.by} (${a.via})${a.comment ? `: “${a.comment}”` : ''}`).join('; ')
        : 'nobody yet',
    ],
  ];
}

/**
 * The form, with what the holder may do: both buttons; only Reject, with why they may not
 * approve (the author, or having approved already); or why they may not decide at all.
 */
function decisionForm(
  approval: Approval,
  token: string | undefined,
  viewer: ApprovalViewer | undefined,
): string {
  if (!viewer)
    return '<p>This is the Slack message’s link: decide with its buttons, with your own email link, or in the dashboard.</p>';
  const why = viewer.reason ? `<p role="note">${escape(viewer.reason)}</p>` : '';
  if (!viewer.mayApprove && !viewer.mayReject) return why;
  return (
    why +
    `<form method="post" action="/v1/approvals/${escape(approval.approvalId)}">` +
    (token ? `<input type="hidden" name="token" value="${escape(token)}">` : '') +
    `<p><label>Comment (optional)<br><textarea name="comment" rows="3" maxlength="1000"></textarea></label></p>` +
    (viewer.mayApprove ? `<button type="submit" name="decision" value="approve">Approve</button>` : '') +
    (viewer.mayReject ? `<button type="submit" name="decision" value="reject">Reject</button>` : '') +
    '</form>'
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
