import type { DeployChanges } from './changes';
import type { ApprovalPolicy, RunAuthor } from './approval-policy';

/**
 * A stack's build pipeline and its runs: a push (or a manual deploy) builds the image, then the run
 * moves it through the stack's stages in creation order, pausing where a stage requires approval.
 */

// ---- names ------------------------------------------------------------------------------------

/** The CodePipeline pipeline of a stack (names allow letters, digits, `.@-_`). */
export const pipelineNameOf = (stackId: string) => `tinystacks-${stackId}`;

/** The stack a pipeline belongs to, from its name (pipeline state-change events name the pipeline). */
export function stackIdOfPipeline(pipelineName: string): string | undefined {
  return /^tinystacks-(stk_[0-9a-z]{26})$/.exec(pipelineName)?.[1];
}

/**
 * The CloudFormation stack holding the pipeline. The double hyphen keeps it apart from every stage
 * stack (`tinystacks-<id>-<stage>`): stage names start with a letter, so no stage can be named
 * `-pipeline`, whereas a stage named `pipeline` is allowed.
 */
export const pipelineCfnStackNameOf = (stackId: string) =>
  `tinystacks-${stackId.replace(/_/g, '-')}--pipeline`;

/** Secrets Manager name of a stack's webhook secret, under the platform's prefix. */
export const webhookSecretNameOf = (prefix: string, stackId: string) => `${prefix}/webhooks/${stackId}`;

/** What the webhook secret holds: the raw key (HMAC needs it) and, bound to it, the owner. */
export interface WebhookSecret {
  tenantId: string;
  secret: string;
  /** A Slack incoming webhook URL for approval requests: a capability, so kept with the secret. */
  slackWebhookUrl?: string;
}

export const PIPELINE_STATUSES = ['CREATING', 'ACTIVE', 'FAILED'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

export interface StackPipeline {
  status: PipelineStatus;
  pipelineName: string;
  cfnStackName: string;
  /** ECR repository the build pushes `<repository>:<commit sha>` to. */
  imageRepositoryUri?: string;
  error?: string;
}

// ---- runs -------------------------------------------------------------------------------------

export const RUN_STATUSES = [
  'QUEUED',
  'BUILDING',
  'DEPLOYING',
  'WAITING_FOR_APPROVAL',
  'WAITING_FOR_WINDOW',
  'SUCCEEDED',
  'FAILED',
  'STOPPED',
  'SUPERSEDED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: RunStatus[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED'];

export const RUN_STAGE_STATUSES = [
  'PENDING',
  'WAITING_FOR_APPROVAL',
  'WAITING_FOR_WINDOW',
  'DEPLOYING',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'SUPERSEDED',
  'SKIPPED',
] as const;
export type RunStageStatus = (typeof RUN_STAGE_STATUSES)[number];

export interface Commit {
  sha?: string;
  message?: string;
  author?: string;
  url?: string;
}

/** Who deployed a stage outside its deploy windows, and why (POST /v1/runs/{runId}/stages/{stage}/override). */
export interface WindowOverride {
  by: string;
  reason: string;
  at: string;
}

export interface RunStage {
  name: string;
  status: RunStageStatus;
  approvalId?: string;
  operationId?: string;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  /** The deploy planned before the stage's approval (issue 13 §3). */
  plan?: DeployPlan;
  /** Approvals of this stage closed because the deploy was planned again, oldest first. */
  replannedApprovals?: ReplannedApproval[];
  /** While WAITING_FOR_WINDOW: when the stage's next deploy window opens, and the run goes. */
  opensAt?: string;
  /** When the run began waiting for the window (it waits MAX_WINDOW_WAIT_SECONDS at most). */
  waitingSince?: string;
  override?: WindowOverride;
}

// ---- the deploy planned before an approval (issue 13 §3) --------------------------------------

/**
 * A stage's deploy, planned as a CloudFormation change set before its approval is asked for, so
 * that the approval shows what it changes and approving executes exactly that.
 */
export interface DeployPlan {
  /** 1 for the first plan of the stage in the run; each plan again (stale, settings joined) adds one. */
  number: number;
  /** Empty when the stage has no stack to plan against (its creation failed): the deploy creates it. */
  changeSetName: string;
  changeSetId?: string;
  /** The deploy's operation: its id is the template's deployment id, so plan and deploy render alike. */
  operationId: string;
  /** sha256 of the planned template: a deploy that would render another one is stale. */
  templateHash: string;
  status: 'PLANNED' | 'DISCARDED';
}

export interface ReplannedApproval {
  approvalId: string;
  reason: string;
  at: string;
}

/**
 * The change set of a run's deploy of a stage, one per plan: derived from the run, the stage and the
 * plan's number, so a retried task names the same one (letters, digits, hyphens; at most 128).
 */
export const changeSetNameOf = (runId: string, stageName: string, plan: number) =>
  `tinystacks-${runId.replace(/_/g, '-')}-${stageName}-${plan}`;

/** A push as its payload told it (issue 13 §3: commits counted without asking GitHub). */
export interface RunPush {
  /** The branch's commit before the push. */
  before: string;
  /** The payload's number of commits; absent when the list may have been cut. */
  commitCount?: number;
  forced?: boolean;
}

export interface Run {
  tenantId: string;
  runId: string;
  stackId: string;
  trigger: 'push' | 'manual';
  branch: string;
  commit: Commit;
  status: RunStatus;
  /** GitHub's X-GitHub-Delivery for pushes; the user for manual runs. */
  deliveryId?: string;
  /** A push's `before`, commit count and `forced`, from its payload. */
  push?: RunPush;
  requestedBy: string;
  /** Whom self-approval is about: the head commit's author and the pusher (or who started it by hand). */
  author?: RunAuthor;
  pipelineExecutionId?: string;
  imageUri?: string;
  /** The commit's image was in the repository already: the run skipped the build (src/workflows/pipeline-run.ts). */
  imageReused?: boolean;
  /** The stack's stages when the build succeeded, in creation order: the order the run moves through. */
  stageOrder: string[];
  stages: Record<string, RunStage>;
  error?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
}

/** The image a build of `sha` pushes. */
export const imageUriOf = (repositoryUri: string, sha: string) => `${repositoryUri}:${sha}`;

/** `<account>.dkr.ecr.<region>.<suffix>/<name>`: the registry (account), region and name ECR's API takes. */
export function repositoryOf(
  repositoryUri: string,
): { registryId: string; region: string; repositoryName: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[a-z0-9.]+\/([a-z0-9._/-]+)$/.exec(repositoryUri);
  return match ? { registryId: match[1]!, region: match[2]!, repositoryName: match[3]! } : undefined;
}

// ---- approvals --------------------------------------------------------------------------------

export const APPROVAL_STATUSES = [
  'PENDING',
  'APPROVED',
  'REJECTED',
  'EXPIRED',
  'SUPERSEDED',
  // Closed because the deploy was planned again (the stage changed, or settings joined it): see replacedBy.
  'REPLANNED',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** CodePipeline's manual approvals expire after 7 days; so do ours unless configured otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600;

export interface Approval {
  tenantId: string;
  approvalId: string;
  stackId: string;
  stackName: string;
  runId: string;
  stageName: string;
  commit: Commit;
  /** Who started the run: the pusher, or the user who deployed by hand. */
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  decidedBy?: string;
  decidedVia?: ApprovalVia;
  decidedAt?: string;
  comment?: string;
  /** What the planned deploy changes (issue 13 §3); absent on approvals from before plans. */
  changes?: DeployChanges;
  /** Why a REPLANNED approval was closed, and the approval that replaced it. */
  closedReason?: string;
  replacedBy?: string;
  /** The stage's policy when the run reached it (absent on approvals recorded before policies: ONE_APPROVAL). */
  policy?: ApprovalPolicy;
  /** The run's author (src/domain/approval-policy.ts), whom the policy may bar from approving. */
  author?: RunAuthor;
  /** The approvals recorded so far, in order; the `policy.required`-th decides. */
  approvals?: ApprovalEntry[];
}

export type ApprovalVia = 'link' | 'slack' | 'user';

/** One person's approval: who (an email, a user id or `slack:<member id>`), by which way, when, and why. */
export interface ApprovalEntry {
  by: string;
  via: ApprovalVia;
  at: string;
  comment?: string;
}
