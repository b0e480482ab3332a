import { store } from '../../src/cloud/aws/dynamodb';
import { stacks } from '../../src/cloud/aws/stacks';
import { taskHandler } from '../../src/tasks/handler';
import { continueUpdateRollback } from '../../src/tasks/stack-calls';

export const handler = taskHandler(continueUpdateRollback, { store, stacks });
