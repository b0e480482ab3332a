import { getApprovalRoute } from '../../src/api/approvals';
import { approvalStore } from '../../src/cloud/aws/dynamodb';
import { jwtVerifier } from '../../src/cloud/aws/jwt-verifier';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { httpHandler } from '../../src/http/handler';

/** No API Gateway authorizer: an approval link's token, or a bearer JWT verified in the function. */
export const handler = httpHandler(getApprovalRoute, {
  approvals: approvalStore,
  platformSecrets,
  jwtVerifier,
  pipelineSettings,
});
