import { waits } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';
import { onStackStatusChange } from '../../src/tasks/stack-waits';

/** CloudFormation Stack Status Change events, forwarded from customer accounts to the platform bus. */
export const handler = taskHandler(onStackStatusChange, { waits, workflows });
