import { databases, pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { pipelines as builds } from '../src/cloud/aws/pipelines';
import { stacks } from '../src/cloud/aws/stacks';
import { templates } from '../src/cloud/aws/templates';
import { taskUnit } from '../src/tasks/unit';

/** The workflow tasks that call CloudFormation, S3 (templates) and CodePipeline in the customer's account. */
export const handler = taskUnit('customerTasks', {
  store,
  stacks,
  templates,
  databases,
  pipelines: pipelineStore,
  builds,
});
