import { databases, store } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';
import { renderStage } from '../../src/tasks/stage-steps';

export const handler = taskHandler(renderStage, { store, databases });
