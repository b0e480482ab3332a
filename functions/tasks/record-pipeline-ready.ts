import { recordPipelineReady } from '../../src/tasks/pipeline-steps';
import { pipelineStore } from '../../src/cloud/aws/dynamodb';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(recordPipelineReady, { pipelines: pipelineStore });
