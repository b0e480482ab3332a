import * as z from 'zod/mini';
import { awsRegion, branch, repository, roleArn, stackName } from './fields';
import { notificationSettings } from './pipeline';

export const createStackBody = z.strictObject({
  name: stackName,
  repository,
  branch,
  region: awsRegion,
  roleArn: z.optional(roleArn),
  /** Who is asked when a stage requires approval: email addresses, a Slack incoming webhook. */
  notifications: z.optional(notificationSettings),
});
export type CreateStackBody = z.infer<typeof createStackBody>;
