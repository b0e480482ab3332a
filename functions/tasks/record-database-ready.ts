import { databases } from '../../src/cloud/aws/dynamodb';
import { recordDatabaseReady } from '../../src/tasks/database-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(recordDatabaseReady, { databases });
