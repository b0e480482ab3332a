import type { PipelineSettings, SecretCache } from '../app/pipelines';
import type { NotificationPort, PipelinePort, StackPort, TemplatePort, WorkflowPort } from '../cloud/ports';
import type { DatabaseStore } from '../store/databases';
import type { ApprovalStore } from '../store/approvals';
import type { PipelineStore } from '../store/pipelines';
import type { StackWaitStore } from '../store/stack-waits';
import type { Store } from '../store/store';

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
  notifications: NotificationPort;
  platformSecrets: SecretCache;
  pipelineSettings: PipelineSettings;
}

export interface StageRef {
  tenantId: string;
  stackId: string;
  stageName: string;
  operationId: string;
}

export interface StackRef {
  tenantId: string;
  operationId: string;
  cfnStackName: string;
  target: { roleArn: string; region: string };
}
