import { beginPromotion } from '../../src/tasks/pipeline-steps';
import { pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(beginPromotion, { store, pipelines: pipelineStore });
