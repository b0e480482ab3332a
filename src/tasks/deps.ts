import type { StackPort, WorkflowPort } from '../cloud/ports';
import type { StackWaitStore } from '../store/stack-waits';
import type { Store } from '../store/store';

/** What the state machines' task functions may use; each names its subset. */
export interface TaskDeps {
  store: Store;
  stacks: StackPort;
  waits: StackWaitStore;
  workflows: WorkflowPort;
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
