/**
 * What the backend asks of the cloud. `aws/` implements these on AWS, `src/local` on the embedded
 * runtime; handlers and tasks only ever see these interfaces.
 */
import type { WorkflowName } from '../domain/workflows';
import type { TaskDelivery } from './errors';

export interface StartedExecution {
  executionArn: string;
  /** True when an execution with this name already existed: the start was a retry. */
  alreadyStarted: boolean;
}

export interface WorkflowPort {
  start(workflow: WorkflowName, executionName: string, input: unknown): Promise<StartedExecution>;
  /** 'gone' when the execution no longer waits on this token (timed out, already resumed, stopped). */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<TaskDelivery>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<TaskDelivery>;
}

/** Where a stage's CloudFormation stacks live: the customer's account, reached through their role. */
export interface TargetAccount {
  roleArn: string;
  region: string;
  /** The tenant's external id; every AssumeRole into the customer's account presents it. */
  externalId: string;
}

export interface StackEvent {
  timestamp: string;
  stackName: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
}

export interface StackDescription {
  stackId: string;
  status: string;
  reason?: string;
  outputs: Record<string, string>;
}

export interface StackRequest {
  stackName: string;
  templateBody: string;
  tags: Record<string, string>;
  /** CloudFormation's own idempotency token: a retried call with the same token is a no-op. */
  clientRequestToken: string;
}

/**
 * The customer's CloudFormation, in any region. Workflows reach it through task functions rather
 * than Step Functions' aws-sdk integrations, which can only call their own region and cannot
 * present an external id.
 */
export interface StackPort {
  create(target: TargetAccount, request: StackRequest): Promise<{ stackId: string }>;
  update(target: TargetAccount, request: StackRequest): Promise<void>;
  delete(target: TargetAccount, stackName: string, clientRequestToken: string): Promise<void>;
  continueUpdateRollback(target: TargetAccount, stackName: string, clientRequestToken: string): Promise<void>;
  describe(target: TargetAccount, stackName: string): Promise<StackDescription | undefined>;
  /** Newest first; `nextToken` pages further back. */
  listEvents(
    target: TargetAccount,
    stackName: string,
    nextToken?: string,
  ): Promise<{ events: StackEvent[]; nextToken?: string }>;
}

export type LogType = 'app' | 'access';

export interface LogLine {
  timestamp: string;
  message: string;
}

export interface LogsPort {
  read(
    target: TargetAccount,
    logGroupName: string,
    options: { since?: string; limit: number; nextToken?: string },
  ): Promise<{ lines: LogLine[]; nextToken?: string }>;
}

export interface AccountPort {
  /**
   * Proves the tenant controls the role: assuming it with the tenant's external id succeeds only
   * when the role's trust policy names that id. Throws a DomainError (400) when it does not.
   */
  verifyRole(roleArn: string, externalId: string): Promise<void>;
}

export interface PlatformEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface EventBusPort {
  publish(events: PlatformEvent[]): Promise<void>;
}
