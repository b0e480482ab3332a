/**
 * The state machines, by name, and their ASL files in statemachines/. The same files are deployed
 * (serverless.yml) and run by the embedded runtime.
 */
export const WORKFLOW_FILES = {
  deployStage: 'deploy-stage.asl.json',
  deleteStage: 'delete-stage.asl.json',
  addDatabase: 'add-database.asl.json',
  deleteDatabase: 'delete-database.asl.json',
  createReadReplica: 'create-read-replica.asl.json',
  provisionBastion: 'provision-bastion.asl.json',
  deleteBastion: 'delete-bastion.asl.json',
  // Build pipelines and their runs (src/app/pipelines.ts)
  createPipeline: 'create-pipeline.asl.json',
  pipelineRun: 'pipeline-run.asl.json',
  // Deleting a stack: its pipeline stack, then its records (src/app/stacks.ts)
  deleteStack: 'delete-stack.asl.json',
} as const;

export type WorkflowName = keyof typeof WORKFLOW_FILES;
