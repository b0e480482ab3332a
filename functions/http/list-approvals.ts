import { listApprovalsRoute } from '../../src/api/approvals';
import { approvalStore } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listApprovalsRoute, { approvals: approvalStore });
