import * as z from 'zod/mini';
import { EMAIL } from '../caller';

/** Who hears about approvals of a stack. */
export const notificationSettings = z.strictObject({
  emails: z.optional(
    z
      .array(
        // No space, control character (NUL, CR, LF: header injection) or second @ anywhere.
        z.string().check(z.regex(EMAIL, 'must be an email address')),
      )
      .check(z.maxLength(10, 'must list at most 10 addresses')),
  ),
  slackWebhookUrl: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^https:\/\/hooks\.slack\.com\/[A-Za-z0-9/_-]{10,200}$/,
          'must be a Slack incoming webhook URL (https://hooks.slack.com/...)',
        ),
      ),
  ),
});
export type NotificationSettings = z.infer<typeof notificationSettings>;

export const createRunBody = z.strictObject({
  commit: z.optional(
    z.string().check(z.regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit SHA (lowercase hex)')),
  ),
});

export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.optional(z.string().check(z.maxLength(1000, 'must be at most 1000 characters'))),
  /** The link token, when the decision comes from an email or Slack link (forms post it here). */
  token: z.optional(z.string().check(z.maxLength(1024, 'is too long'))),
});
export type DecisionBody = z.infer<typeof decisionBody>;
