import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { approvalEmail } from '../approval-messages';
import type { NotificationPort } from '../ports';
import { requireEnv } from './env';
import { slackMessages } from './slack';

const ses = new SESv2Client({});
const sender = requireEnv('NOTIFICATION_SENDER');

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
  ...slackMessages,
};
