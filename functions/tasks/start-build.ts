import { startBuild } from '../../src/tasks/pipeline-steps';
import { pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { pipelines as builds } from '../../src/cloud/aws/pipelines';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(startBuild, { store, pipelines: pipelineStore, builds });
