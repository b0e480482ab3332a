import { databases, pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { pipelines as builds } from '../src/cloud/aws/pipelines';
import { stacks } from '../src/cloud/aws/stacks';
import { lazy } from '../src/cloud/aws/lazy';
import { taskUnit } from '../src/tasks/unit';

/** The workflow tasks that call CloudFormation, S3 (templates), CodePipeline and ECR in the customer's account. */
export const handler = taskUnit('customerTasks', {
  store,
  stacks,
  // S3 only for CreateStack and UpdateStack (the template's upload): loaded when first used.
  templates: lazy(() => import('../src/cloud/aws/templates').then((m) => m.templates)),
  databases,
  pipelines: pipelineStore,
  builds,
  // ECR only for FindBuiltImage (once per run): loaded when first used.
  images: lazy(() => import('../src/cloud/aws/images').then((m) => m.images)),
});
