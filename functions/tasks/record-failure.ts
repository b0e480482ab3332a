import { store } from '../../src/cloud/aws/dynamodb';
import { stacks } from '../../src/cloud/aws/stacks';
import { taskHandler } from '../../src/tasks/handler';
import { recordFailure } from '../../src/tasks/stage-steps';

export const handler = taskHandler(recordFailure, { store, stacks });
