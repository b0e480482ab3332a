import type { StackPipeline } from './pipeline';

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
  /** The build pipeline in the customer's account (absent on stacks created before pipelines). */
  pipeline?: StackPipeline;
  /** Approval requests go to these addresses and, when `slack`, to the Slack webhook in the stack's secret. */
  notifications?: { emails: string[]; slack: boolean };
  createdAt: string;
  updatedAt: string;
}
