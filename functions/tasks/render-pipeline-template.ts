import { renderPipeline } from '../../src/tasks/pipeline-steps';
import { store } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(renderPipeline, { store });
