import type { ApprovalMessage, SlackResponseMode } from './ports';

/** The approval request as an email (subject, text) and as a Slack message with buttons. */
export function approvalEmail(message: ApprovalMessage): { subject: string; text: string } {
  const commit = message.commit.sha ? message.commit.sha.slice(0, 7) : 'the head of the branch';
  return {
    subject: `Approve deploying ${message.stackName} (${commit}) to ${message.stageName}?`,
    text: [
      `${message.requestedBy} pushed ${commit}${message.commit.message ? `: ${message.commit.message}` : ''}.`,
      `It is deployed up to the stage before ${message.stageName}, which requires approval.`,
      '',
      `Review and approve or reject: ${message.link}`,
      '',
      `The link works once and expires at ${message.expiresAt}. Opening it changes nothing; only the form decides.`,
    ].join('\n'),
  };
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
