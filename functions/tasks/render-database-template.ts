import { databases, store } from '../../src/cloud/aws/dynamodb';
import { renderDatabase } from '../../src/tasks/database-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(renderDatabase, { store, databases });
