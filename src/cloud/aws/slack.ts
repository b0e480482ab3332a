import { approvalSlackMessage, slackRefresh, slackResponse } from '../approval-messages';
import type { NotificationPort } from '../ports';

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

/**
 * Slack by plain HTTPS: incoming webhooks for requests, response_url for decisions. Apart from
 * the SES adapter (./notifications.ts) so that Slack's interactivity endpoint bundles no SES client.
 */
export const slackMessages: Pick<NotificationPort, 'slack' | 'slackUpdate' | 'slackRefresh'> = {
  async slack(webhookUrl, message) {
    await postJson(webhookUrl, approvalSlackMessage(message), 5000);
  },
  async slackUpdate(responseUrl, text, mode) {
    await postJson(responseUrl, slackResponse(text, mode), SLACK_TIMEOUT_MS);
  },
  async slackRefresh(responseUrl, message) {
    await postJson(responseUrl, slackRefresh(message), SLACK_TIMEOUT_MS);
  },
};
