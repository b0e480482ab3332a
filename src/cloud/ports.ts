/**
 * What the backend asks of the cloud. `aws/` implements these on AWS, `src/local` on the embedded
 * runtime; handlers and tasks only ever see these interfaces.
 */
import type { DeployChanges } from '../domain/changes';
import type { WebhookDelivery } from '../domain/subscription';
import type { WorkflowName } from '../domain/workflows';
import type { TaskDelivery } from './errors';
import type { ApprovalPolicy } from '../domain/approval-policy';
import type { ApprovalEntry } from '../domain/pipeline';

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
  /** Where TemplatePort.put left the template: CloudFormation reads it from there (up to 1 MB). */
  templateUrl: string;
  tags: Record<string, string>;
  /** CloudFormation's own idempotency token: a retried call with the same token is a no-op. */
  clientRequestToken: string;
}

/**
 * Where templates wait for CloudFormation: CloudFormation takes 51,200 bytes inline but 1 MB from
 * S3 (src/cloud/template-bucket.ts). Apart from StackPort so that only the two functions that
 * create and update stacks bundle the S3 client.
 */
export interface TemplatePort {
  /** Puts the template (the same object again for the same stack and token); returns its URL. */
  put(
    target: TargetAccount,
    request: { stackName: string; clientRequestToken: string; templateBody: string },
  ): Promise<string>;
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
  /**
   * Plans an update of an existing stack without making it (CloudFormation's UPDATE change set).
   * Idempotent per `clientToken`. Errors: CloudError `ChangeSetExists` (the name is taken by a
   * different request), `Throttled`; CloudFormation's own (`ValidationError` for a stack that is
   * missing or busy, or a template it refuses; `InsufficientCapabilitiesException`) keep their names.
   */
  createChangeSet(
    target: TargetAccount,
    request: ChangeSetRequest,
  ): Promise<{ changeSetId: string; stackId: string }>;
  /**
   * Every change (all pages). CloudError `ChangeSetGone` when the change set or its stack does not
   * exist (deleted, executed and superseded, or the stack deleted).
   */
  describeChangeSet(
    target: TargetAccount,
    stackName: string,
    changeSetName: string,
  ): Promise<ChangeSetDescription>;
  /**
   * Starts the stack update the change set planned; the stack's status events then carry
   * `clientRequestToken`, and a retry with the same token is a no-op. CloudError `ChangeSetGone`;
   * `ChangeSetNotExecutable` when it cannot run: still being created, FAILED (nothing to change),
   * already executed, or OBSOLETE (the stack was updated since it was planned).
   */
  executeChangeSet(
    target: TargetAccount,
    stackName: string,
    changeSetName: string,
    clientRequestToken: string,
  ): Promise<void>;
  /** Succeeds when it is already gone. CloudError `ChangeSetNotExecutable` while it is being created or executed. */
  deleteChangeSet(target: TargetAccount, stackName: string, changeSetName: string): Promise<void>;
  /**
   * The template the stack runs (GetTemplate, `Original`: as it was submitted), JSON text; undefined
   * when there is no such stack. What an approval compares the planned template with (issue 13).
   */
  getTemplate(target: TargetAccount, stackName: string): Promise<string | undefined>;
}

// ---- change sets: what an update will do, before it is done (issue 13) --------------------------

export type StackCapability = 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_AUTO_EXPAND';

export interface ChangeSetRequest {
  stackName: string;
  /** Letters, digits and hyphens, starting with a letter, at most 128 characters; unique per stack. */
  changeSetName: string;
  /** Where TemplatePort.put left the template, as for StackRequest. */
  templateUrl: string;
  /** Values of the template's parameters; the others take their defaults. */
  parameters?: Record<string, string>;
  tags: Record<string, string>;
  capabilities: StackCapability[];
  /** CloudFormation's idempotency token for CreateChangeSet: a retry with it returns the same change set. */
  clientToken: string;
}

export type ChangeSetStatus =
  | 'CREATE_PENDING'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'DELETE_PENDING'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'FAILED';

export type ChangeSetExecutionStatus =
  'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';

/** One reason a resource is modified (CloudFormation's ResourceChangeDetail, flattened). */
export interface ResourceChangeDetail {
  /** What changes: `Properties`, `Tags`, `Metadata`, `DeletionPolicy`, `UpdateReplacePolicy`, ... */
  attribute: string;
  /** The property, when `attribute` is `Properties`. */
  name?: string;
  requiresRecreation?: 'Never' | 'Conditionally' | 'Always';
  /** `Dynamic`: the value is known only during the update (it refers to a resource being replaced). */
  evaluation?: 'Static' | 'Dynamic';
  /** `DirectModification`, `ParameterReference`, `ResourceReference`, `ResourceAttribute`, `Automatic`. */
  changeSource?: string;
  /** The parameter, resource (`Ref`) or `Resource.Attribute` (`Fn::GetAtt`) that caused it. */
  causingEntity?: string;
}

export interface ResourceChange {
  logicalId: string;
  /** Absent for a resource being added. */
  physicalId?: string;
  type: string;
  /** `Dynamic`: CloudFormation cannot tell before the update (also any action it adds later). */
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic';
  /** For `Modify` only: `True` replaces it (a new physical resource), `Conditional` may; null otherwise. */
  replacement: 'True' | 'False' | 'Conditional' | null;
  /** What a `Modify` touches: `Properties`, `Tags`, `Metadata`, ... */
  scope: string[];
  details?: ResourceChangeDetail[];
}

export interface ChangeSetDescription {
  changeSetId: string;
  status: ChangeSetStatus;
  executionStatus: ChangeSetExecutionStatus;
  statusReason?: string;
  /**
   * The template, parameters and tags are those already deployed: CloudFormation fails the change
   * set (FAILED, UNAVAILABLE) rather than planning nothing. Not an error: there is nothing to deploy.
   */
  noChanges: boolean;
  changes: ResourceChange[];
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

// ---- webhook deliveries (status subscriptions) --------------------------------------------------

/**
 * Where a tenant's deliveries wait for their sender: SQS on AWS (src/cloud/aws/delivery-queue.ts),
 * timers on the embedded runtime (src/local/webhooks.ts). Each delivery is attempted at least once.
 */
export interface DeliveryQueuePort {
  enqueue(deliveries: WebhookDelivery[]): Promise<void>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** `ok` only for a 2xx answer; a redirect is a failure (it is not followed). `error` never holds a secret. */
export type WebhookResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

/**
 * POSTs one signed delivery, with a timeout, to an address it has checked itself at connection
 * time (src/cloud/webhook-sender.ts): the same check as at creation, against DNS rebinding.
 */
export interface WebhookSenderPort {
  post(request: WebhookRequest): Promise<WebhookResult>;
}

// ---- build pipelines, secrets, notifications, in-function JWTs (issue 4) -----------------------

export type PipelineExecutionStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Stopped' | 'Superseded';

export interface PipelineExecution {
  executionId: string;
  status: PipelineExecutionStatus;
  /** The commit the source action fetched, once known. */
  commitSha?: string;
  reason?: string;
}

/** The stack's CodePipeline in the customer's account. */
export interface PipelinePort {
  /** Starts an execution; `commitSha` overrides the source revision. Idempotent per clientRequestToken. */
  start(
    target: TargetAccount,
    pipelineName: string,
    options: { commitSha?: string; clientRequestToken: string },
  ): Promise<{ executionId: string }>;
  getExecution(target: TargetAccount, pipelineName: string, executionId: string): Promise<PipelineExecution>;
}

/**
 * The stack's ECR repository in the customer's account (`tinystacks/<stackId>`, IMMUTABLE, images
 * tagged by commit): a run of a commit that was built already reuses its image, since pushing the
 * tag again would fail.
 */
export interface ImageRegistryPort {
  /**
   * The image `<repositoryUri>:<tag>` if the repository holds it (its digest); undefined when the
   * tag or the repository is not there. Errors: CloudError `Throttled`.
   */
  findImage(
    target: TargetAccount,
    repositoryUri: string,
    tag: string,
  ): Promise<{ digest: string } | undefined>;
}

/** The platform's own secrets (Secrets Manager; a file on the embedded runtime). */
export interface PlatformSecretsPort {
  create(name: string, value: string): Promise<void>;
  /** undefined when there is no such secret. */
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
}

export interface ApprovalMessage {
  approvalId: string;
  stackName: string;
  stageName: string;
  commit: { sha?: string; message?: string; author?: string };
  requestedBy: string;
  expiresAt: string;
  /** GET shows what is approved; only a POST decides. Carries the single-use link token. */
  link: string;
  /** `<approvalId>.<link token>` for Slack's buttons. */
  buttonValue: string;
  /** What the planned deploy changes (issue 13 §3). */
  changes?: DeployChanges;
  /** The stage's approval policy and the approvals so far (src/cloud/approval-messages.ts, policyLines). */
  policy?: ApprovalPolicy;
  approvals?: ApprovalEntry[];
  /** An email's one recipient, whose own link `link` is. */
  recipient?: string;
}

export type SlackResponseMode = 'replace' | 'ephemeral';

/** Email (SES) and Slack (incoming webhook, response_url) on AWS; files in an outbox locally. */
export interface NotificationPort {
  email(to: string[], message: ApprovalMessage): Promise<void>;
  slack(webhookUrl: string, message: ApprovalMessage): Promise<void>;
  /**
   * Answers a click through Slack's response_url: `replace` puts the decision in place of the
   * message (its buttons go), `ephemeral` shows a note to the clicker only and keeps the buttons.
   */
  slackUpdate(responseUrl: string, text: string, mode?: SlackResponseMode): Promise<void>;
  /**
   * Replaces the clicked message with the request as it stands now (who approved so far), buttons
   * and all: an approval that still waits for others keeps them.
   */
  slackRefresh(responseUrl: string, message: ApprovalMessage): Promise<void>;
}

export interface VerifiedUser {
  tenantId: string;
  userId: string;
  /** The verified `email` claim, lower case (src/domain/caller.ts). */
  email?: string;
}

/** For routes without API Gateway's authorizer (approval links) that also accept a bearer token. */
export interface JwtVerifierPort {
  /** undefined for any token the authorizer would refuse. */
  verify(token: string): Promise<VerifiedUser | undefined>;
}

/** What a database secret holds (the JSON RDS and TinyStacks write): the password, and where to use it. */
export interface DatabaseCredentials {
  username?: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

/**
 * Secrets Manager in the customer's account: "View Secret". The secret's region is the one in its
 * ARN (a replica stage's writer secret lives in its source's region).
 */
export interface SecretsPort {
  readDatabaseSecret(target: TargetAccount, secretArn: string): Promise<DatabaseCredentials>;
}

/** The private key AWS kept when CloudFormation created an EC2 key pair (SSM /ec2/keypair/<id>). */
export interface KeysPort {
  readPrivateKey(target: TargetAccount, keyPairId: string): Promise<string>;
}
