import { httpUnit } from '../src/api/routes';
import { approvalStore } from '../src/cloud/aws/dynamodb';
import { jwtVerifier } from '../src/cloud/aws/jwt-verifier';
import { pipelineSettings, platformSecrets } from '../src/cloud/aws/pipeline-settings';
import { slackMessages } from '../src/cloud/aws/slack';
import { workflows } from '../src/cloud/aws/workflows';

/** No API Gateway authorizer: an approval link's token, Slack's signature, or a bearer JWT verified here. */
export const handler = httpUnit('approvals', {
  approvals: approvalStore,
  workflows,
  platformSecrets,
  notifications: slackMessages,
  jwtVerifier,
  pipelineSettings,
});
