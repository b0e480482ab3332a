import { waitForApproval } from '../../src/tasks/pipeline-steps';
import { approvalStore } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(waitForApproval, { approvals: approvalStore });
