import { waitForBuild } from '../../src/tasks/pipeline-steps';
import { pipelineStore } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(waitForBuild, { pipelines: pipelineStore, workflows });
