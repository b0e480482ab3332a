import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { approvalEmail, approvalSlackMessage } from '../../app/approval-messages';
import type { NotificationPort } from '../ports';
import { requireEnv } from './env';

const ses = new SESv2Client({});
const sender = requireEnv('NOTIFICATION_SENDER');

/** Slack wants its answer within 3 s of a click; an outgoing post gets a fraction of that. */
const SLACK_TIMEOUT_MS = 1500;

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Slack answered ${res.status}`);
}

/** Approval requests by SES email and Slack incoming webhook; decisions update the Slack message. */
export const notifications: NotificationPort = {
  async email(to, message) {
    const { subject, text } = approvalEmail(message);
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: sender,
        Destination: { ToAddresses: to },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: text } } } },
      }),
    );
  },
  async slack(webhookUrl, message) {
    await postJson(webhookUrl, approvalSlackMessage(message), 5000);
  },
  async slackUpdate(responseUrl, text) {
    await postJson(responseUrl, { replace_original: true, text }, SLACK_TIMEOUT_MS);
  },
};
