import { pipelineStore } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';
import { onPipelineStateChange } from '../../src/tasks/pipeline-steps';

/** CodePipeline Pipeline Execution State Change events, forwarded from customer accounts to the platform bus. */
export const handler = taskHandler(onPipelineStateChange, { pipelines: pipelineStore, workflows });
