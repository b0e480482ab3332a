import { pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { bus } from '../../src/cloud/aws/events';
import { taskHandler } from '../../src/tasks/handler';
import { onPipelineExecutionEnded } from '../../src/tasks/pipeline-steps';

/** Step Functions Execution Status Change events of the pipeline-run and create-pipeline state machines (FAILED, TIMED_OUT, ABORTED). */
export const handler = taskHandler(onPipelineExecutionEnded, { store, pipelines: pipelineStore, bus });
