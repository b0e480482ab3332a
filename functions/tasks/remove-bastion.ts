import { databases } from '../../src/cloud/aws/dynamodb';
import { removeBastion } from '../../src/tasks/bastion-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(removeBastion, { databases });
