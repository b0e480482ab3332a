import { databases, store } from '../../src/cloud/aws/dynamodb';
import { recordBastionFailure } from '../../src/tasks/bastion-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(recordBastionFailure, { store, databases });
