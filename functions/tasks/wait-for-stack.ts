import { waits } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';
import { waitForStack } from '../../src/tasks/stack-waits';

export const handler = taskHandler(waitForStack, { waits, workflows });
