import * as z from 'zod/mini';
import { awsRegion, branch, repository, roleArn, stackName } from './schema';

export const createStackBody = z.strictObject({
  name: stackName,
  repository,
  branch,
  region: awsRegion,
  roleArn: z.optional(roleArn),
});
export type CreateStackBody = z.infer<typeof createStackBody>;

export interface Stack {
  tenantId: string;
  stackId: string;
  name: string;
  repository: string;
  branch: string;
  region: string;
  /** The IAM role in the customer's account the workflows act through. */
  roleArn: string;
  stageCount: number;
  createdAt: string;
  updatedAt: string;
}
