import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { approvalEmail, approvalSlackMessage, slackRefresh, slackResponse } from '../cloud/approval-messages';
import type { ApprovalMessage, NotificationPort, SlackResponseMode } from '../cloud/ports';

export interface OutboxMessage {
  kind: 'email' | 'slack' | 'slack-update';
  to: string;
  subject: string;
  body: string;
  /** The approval link, for email and Slack messages. */
  link?: string;
  file?: string;
}

/**
 * Email and Slack on one machine: each message becomes a file in `.tinystacks/outbox/` (when the
 * runtime keeps data) and is handed to `onMessage`, which the server prints with its link.
 */
export class LocalOutbox implements NotificationPort {
  readonly messages: OutboxMessage[] = [];

  constructor(
    private readonly dir: string | undefined,
    private readonly onMessage: (message: OutboxMessage) => void = () => {},
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  async email(to: string[], message: ApprovalMessage): Promise<void> {
    const { subject, text } = approvalEmail(message);
    this.add(
      { kind: 'email', to: to.join(', '), subject, body: text, link: message.link },
      // One file per recipient: each has a link of their own.
      `${message.approvalId}-${to.join(',').replace(/[^A-Za-z0-9@._+-]/g, '_')}-email.txt`,
      `To: ${to.join(', ')}\nSubject: ${subject}\n\n${text}\n`,
    );
  }

  async slack(webhookUrl: string, message: ApprovalMessage): Promise<void> {
    const payload = approvalSlackMessage(message);
    // An incoming webhook URL is a credential (anyone holding it can post): only its workspace shows.
    const to = webhookUrl.replace(/^(https:\/\/hooks\.slack\.com\/services\/[^/]+\/).*$/, '$1…');
    this.add(
      { kind: 'slack', to, subject: payload.text, body: JSON.stringify(payload), link: message.link },
      `${message.approvalId}-slack.json`,
      `${JSON.stringify({ webhookUrl: to, payload }, null, 2)}\n`,
    );
  }

  async slackUpdate(responseUrl: string, text: string, mode?: SlackResponseMode): Promise<void> {
    const payload = slackResponse(text, mode);
    this.add(
      { kind: 'slack-update', to: responseUrl, subject: text, body: JSON.stringify(payload) },
      `slack-update-${Date.now()}.json`,
      `${JSON.stringify({ responseUrl, payload }, null, 2)}\n`,
    );
  }

  async slackRefresh(responseUrl: string, message: ApprovalMessage): Promise<void> {
    const payload = slackRefresh(message);
    this.add(
      { kind: 'slack-update', to: responseUrl, subject: payload.text, body: JSON.stringify(payload) },
      `slack-update-${Date.now()}.json`,
      `${JSON.stringify({ responseUrl, payload }, null, 2)}\n`,
    );
  }

  private add(message: OutboxMessage, fileName: string, content: string): void {
    if (this.dir) {
      const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${fileName}`);
      writeFileSync(file, content, { mode: 0o600 });
      message.file = file;
    }
    this.messages.push(message);
    this.onMessage(message);
  }
}
