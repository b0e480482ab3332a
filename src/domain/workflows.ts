/**
 * The state machines, by name, and their ASL files in statemachines/. The same files are deployed
 * (serverless.yml) and run by the embedded runtime.
 */
export const WORKFLOW_FILES = {
  deployStage: 'deploy-stage.asl.json',
  deleteStage: 'delete-stage.asl.json',
} as const;

export type WorkflowName = keyof typeof WORKFLOW_FILES;
