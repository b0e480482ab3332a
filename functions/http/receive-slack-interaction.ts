import { slackInteractionsRoute } from '../../src/api/webhooks';
import { approvalStore } from '../../src/cloud/aws/dynamodb';
import { jwtVerifier } from '../../src/cloud/aws/jwt-verifier';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { slackMessages } from '../../src/cloud/aws/slack';
import { workflows } from '../../src/cloud/aws/workflows';
import { httpHandler } from '../../src/http/handler';

/** No JWT: Slack signs each request with the app's signing secret. */
export const handler = httpHandler(slackInteractionsRoute, {
  approvals: approvalStore,
  workflows,
  platformSecrets,
  notifications: slackMessages,
  jwtVerifier,
  pipelineSettings,
});
