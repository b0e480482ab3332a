import { approvalStore, databases, pipelineStore, store, waits } from '../src/cloud/aws/dynamodb';
import { workflows } from '../src/cloud/aws/workflows';
import { taskUnit } from '../src/tasks/unit';

/** The workflow tasks that touch only the platform's table and workflows. */
export const handler = taskUnit('tasks', {
  store,
  databases,
  waits,
  workflows,
  pipelines: pipelineStore,
  approvals: approvalStore,
});
