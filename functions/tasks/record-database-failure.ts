import { databases, store } from '../../src/cloud/aws/dynamodb';
import { stacks } from '../../src/cloud/aws/stacks';
import { recordDatabaseFailure } from '../../src/tasks/database-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(recordDatabaseFailure, { store, databases, stacks });
