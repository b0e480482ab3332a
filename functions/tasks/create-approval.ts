import { createApproval } from '../../src/tasks/pipeline-steps';
import { approvalStore, pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(createApproval, {
  store,
  pipelines: pipelineStore,
  approvals: approvalStore,
  workflows,
});
