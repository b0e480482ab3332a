import type { WorkflowName } from '../domain/workflows';
import addDatabase from './add-database';
import type { Workflow } from './asl';
import createPipeline from './create-pipeline';
import createReadReplica from './create-read-replica';
import deleteBastion from './delete-bastion';
import deleteDatabase from './delete-database';
import deleteStack from './delete-stack';
import deleteStage from './delete-stage';
import deployStage from './deploy-stage';
import pipelineRun from './pipeline-run';
import provisionBastion from './provision-bastion';

/** Every workflow's definition, by name; `npm run generate` writes each to its statemachines/ file. */
export const workflowDefinitions: Record<WorkflowName, Workflow> = {
  deployStage,
  deleteStage,
  addDatabase,
  deleteDatabase,
  createReadReplica,
  provisionBastion,
  deleteBastion,
  createPipeline,
  pipelineRun,
  deleteStack,
};
