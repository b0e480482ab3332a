import { store } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';
import { recordStageReady } from '../../src/tasks/stage-steps';

export const handler = taskHandler(recordStageReady, { store });
