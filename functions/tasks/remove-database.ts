import { databases } from '../../src/cloud/aws/dynamodb';
import { removeDatabase } from '../../src/tasks/database-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(removeDatabase, { databases });
