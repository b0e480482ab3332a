import { listApprovalsRoute } from '../../src/api/approvals';
import { pipelineStore } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listApprovalsRoute, { pipelines: pipelineStore });
