import type { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';
import type {
  ImageRegistryPort,
  NotificationPort,
  PipelinePort,
  StackPort,
  TemplatePort,
  WorkflowPort,
} from '../cloud/ports';
import type { DatabaseStore } from '../store/databases';
import type { ApprovalStore } from '../store/approvals';
import type { PipelineStore } from '../store/pipelines';
import type { StackWaitStore } from '../store/stack-waits';
import type { Store } from '../store/store';
import type { StageWorkflowInput } from '../domain/workflow-input';

/** What the state machines' task functions may use; each names its subset. */
export interface TaskDeps {
  store: Store;
  stacks: StackPort;
  /** Where templates go before CloudFormation reads them (createStack and updateStack only). */
  templates: TemplatePort;
  waits: StackWaitStore;
  workflows: WorkflowPort;
  /** Databases, bastions, follow-ups (src/store/databases.ts). */
  databases: DatabaseStore;
  /** Build pipelines and runs, and their approvals (src/tasks/pipeline-steps.ts). */
  pipelines: PipelineStore;
  approvals: ApprovalStore;
  builds: PipelinePort;
  /** The stack's ECR repository: a commit built before is not built again (FindBuiltImage). */
  images: ImageRegistryPort;
  notifications: NotificationPort;
  platformSecrets: SecretCache;
  pipelineSettings: PipelineSettings;
  /** The time deploy windows are checked at; the system's unless a test sets it. */
  clock?: () => Date;
}

/** The stage an operation's task works on: part of the workflow's input (src/domain/workflow-input.ts). */
export type StageRef = Pick<StageWorkflowInput, 'tenantId' | 'stackId' | 'stageName' | 'operationId'>;

/** The CloudFormation stack a task calls, in the customer's account; its name is the stage's, a database's or a bastion's. */
export type StackRef = Pick<StageWorkflowInput, 'tenantId' | 'operationId' | 'cfnStackName' | 'target'>;
