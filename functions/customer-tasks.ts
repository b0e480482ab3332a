import { databases, pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { pipelines as builds } from '../src/cloud/aws/pipelines';
import { stacks } from '../src/cloud/aws/stacks';
import { taskUnit } from '../src/tasks/unit';

/** The workflow tasks that call CloudFormation and CodePipeline in the customer's account. */
export const handler = taskUnit('customerTasks', {
  store,
  stacks,
  databases,
  pipelines: pipelineStore,
  builds,
});
