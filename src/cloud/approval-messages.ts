import { changeLines } from '../domain/changes';
import type { ApprovalMessage, SlackResponseMode } from './ports';

/** The approval request as an email (subject, text) and as a Slack message with buttons. */
export function approvalEmail(message: ApprovalMessage): { subject: string; text: string } {
  const commit = message.commit.sha ? message.commit.sha.slice(0, 7) : 'the head of the branch';
  return {
    subject: `Approve deploying ${message.stackName} (${commit}) to ${message.stageName}?`,
    text: [
      `${message.requestedBy} pushed ${commit}${message.commit.message ? `: ${message.commit.message}` : ''}.`,
      `It is deployed up to the stage before ${message.stageName}, which requires approval.`,
      ...changesText(message),
      '',
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
          text: `*${subject}*\nRequested by ${message.requestedBy}${message.commit.message ? ` — _${message.commit.message.slice(0, 200)}_` : ''}\n<${message.link}|Review> · expires ${message.expiresAt}`,
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

/** What a click's response_url receives (see NotificationPort.slackUpdate). */
export const slackResponse = (text: string, mode: SlackResponseMode = 'replace') =>
  mode === 'replace'
    ? { replace_original: true, text }
    : { response_type: 'ephemeral', replace_original: false, text };
