import { routes } from '../src/api/units/approvals';
import { approvalStore } from '../src/cloud/aws/dynamodb';
import { bus } from '../src/cloud/aws/events';
import { jwtVerifier } from '../src/cloud/aws/jwt-verifier';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { slackMessages } from '../src/cloud/aws/slack';
import { workflows } from '../src/cloud/aws/workflows';
import { httpRouter } from '../src/http/handler';

/** No API Gateway authorizer: an approval link's token, Slack's signature, or a bearer JWT verified here. */
export const handler = httpRouter(routes, {
  approvals: approvalStore,
  workflows,
  bus,
  platformSecrets,
  notifications: slackMessages,
  jwtVerifier,
  pipelineSettings,
});
