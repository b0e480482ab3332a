import { sendApprovalRequest } from '../../src/tasks/pipeline-steps';
import { approvalStore, store } from '../../src/cloud/aws/dynamodb';
import { notifications } from '../../src/cloud/aws/notifications';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(sendApprovalRequest, {
  store,
  approvals: approvalStore,
  notifications,
  platformSecrets,
  pipelineSettings,
});
