import { changeLines } from '../domain/changes';
import type { ApprovalMessage, SlackResponseMode } from './ports';

/** The approval request as an email (subject, text) and as a Slack message with buttons. */
export function approvalEmail(message: ApprovalMessage): { subject: string; text: string } {
  const commit = message.commit.sha ? message.commit.sha.slice(0, 7) : 'the head of the branch';
  return {
    subject: `Approve deploying ${message.stackName} (${commit}) to ${message.stageName}?`,
    text: [
      `${message.requestedBy} pushed ${commit}${message.commit.message ? `: ${message.commit.message}` : ''}.`,
      `Deploying it to ${message.stageName} requires approval.`,
      ...changesText(message),
      '',
      ...policyLines(message),
      `Review and approve or reject: ${message.link}`,
      '',
      `The link works once and expires at ${message.expiresAt}. Opening it changes nothing; only the form decides.`,
    ].join('\n'),
  };
}

/** What the deploy changes, a few lines (issue 13 §3): approving executes exactly that. */
function changesText(message: ApprovalMessage): string[] {
  if (!message.changes) return [];
  return [
    '',
    `What approving deploys to ${message.stageName}:`,
    ...changeLines(message.changes).map((l) => `  ${l}`),
  ];
}

/** The same lines for Slack (mrkdwn: its own link syntax, and its three characters escaped). */
function changesMrkdwn(message: ApprovalMessage): string {
  if (!message.changes) return '';
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const { compareUrl } = message.changes.commits;
  return changeLines(message.changes)
    .map((line) =>
      compareUrl && line.endsWith(compareUrl)
        ? `• ${escape(line.slice(0, -compareUrl.length - 2))}: <${compareUrl}|compare>`
        : `• ${escape(line)}`,
    )
    .join('\n')
    .slice(0, 2900); // a section's text holds 3,000 characters
}

/** Slack Block Kit: the request, a link, and Approve / Reject buttons carrying the link token. */
export function approvalSlackMessage(message: ApprovalMessage) {
  const { subject } = approvalEmail(message);
  return {
    text: subject,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `*${subject}*\nRequested by ${message.requestedBy}${message.commit.message ? ` — _${message.commit.message.slice(0, 200)}_` : ''}`,
            ...policyLines(message, slackName).filter(Boolean),
            `<${message.link}|Review> · expires ${message.expiresAt}`,
          ].join('\n'),
        },
      },
      ...(message.changes
        ? [{ type: 'section', text: { type: 'mrkdwn', text: changesMrkdwn(message) } }]
        : []),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            style: 'primary',
            action_id: 'approve',
            text: { type: 'plain_text', text: 'Approve' },
            value: message.buttonValue,
          },
          {
            type: 'button',
            style: 'danger',
            action_id: 'reject',
            text: { type: 'plain_text', text: 'Reject' },
            value: message.buttonValue,
          },
        ],
      },
    ],
  };
}

// ---- approval policies ----------------------------------------------------------------------

/** Slack renders `<@U0123ABCD>` as the member's name. */
const slackName = (by: string) => (by.startsWith('slack:') ? `<@${by.slice(6)}>` : by);

/**
 * What the policy asks and who approved so far, in a line or three: "Needs 2 approvals, from
 * alice@… or bob@…; not by the change's author. Approved so far (1 of 2): alice@… (link)". Empty
 * for a plain one-approval gate with nobody yet, as before policies.
 */
export function policyLines(message: ApprovalMessage, name: (by: string) => string = (by) => by): string[] {
  const { policy, approvals = [] } = message;
  if (!policy) return [];
  const lines: string[] = [];
  const plain = policy.required === 1 && !policy.approvers && policy.allowSelfApproval;
  if (!plain)
    lines.push(
      `Needs ${policy.required} approval${policy.required === 1 ? '' : 's'}` +
        (policy.approvers ? `, from ${policy.approvers.map(name).join(', ')}` : '') +
        (policy.allowSelfApproval ? '.' : '; the change’s author may not approve it.'),
    );
  if (approvals.length > 0)
    lines.push(
      `Approved so far (${approvals.length} of ${policy.required}): ${approvals.map((a) => `${name(a.by)} (${a.via})`).join(', ')}`,
    );
  if (message.recipient && policy.approvers && !policy.approvers.includes(message.recipient))
    lines.push(`You are told for your information: ${message.recipient} is not one of the approvers.`);
  return lines.length > 0 ? [...lines, ''] : [];
}

/** A click that recorded an approval the deploy still waits on: the message again, updated, buttons kept. */
export const slackRefresh = (message: ApprovalMessage) => ({
  replace_original: true,
  ...approvalSlackMessage(message),
});

/** What a click's response_url receives (see NotificationPort.slackUpdate). */
export const slackResponse = (text: string, mode: SlackResponseMode = 'replace') =>
  mode === 'replace'
    ? { replace_original: true, text }
    : { response_type: 'ephemeral', replace_original: false, text };
