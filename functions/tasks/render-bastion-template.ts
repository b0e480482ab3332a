import { databases, store } from '../../src/cloud/aws/dynamodb';
import { renderBastion } from '../../src/tasks/bastion-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(renderBastion, { store, databases });
