import { approvalStore, store } from '../src/cloud/aws/dynamodb';
import { notifications } from '../src/cloud/aws/notifications';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { taskUnit } from '../src/tasks/unit';

/** Sends approval requests: email (SES) and the stack's Slack webhook, with a signed link. */
export const handler = taskUnit('approvalRequests', {
  store,
  approvals: approvalStore,
  notifications,
  platformSecrets,
  pipelineSettings,
});
