import {
  continueUpdateRollback,
  createStack,
  deleteStack,
  describeStack,
  explainStackFailure,
  updateStack,
} from './stack-calls';
import { waitForStack } from './stack-waits';
import { recordFailure, recordStageReady, removeStage, renderStage } from './stage-steps';

/**
 * The task functions the state machines call, by the name their ASL placeholders use
 * (`${<Name>FunctionArn}`). Deployed as functions/tasks/<kebab-name>.ts; bound directly by the
 * embedded runtime.
 */
export const taskFunctions = {
  RenderStageTemplate: renderStage,
  CreateStack: createStack,
  UpdateStack: updateStack,
  DeleteStack: deleteStack,
  ContinueUpdateRollback: continueUpdateRollback,
  DescribeStack: describeStack,
  ExplainStackFailure: explainStackFailure,
  WaitForStack: waitForStack,
  RecordStageReady: recordStageReady,
  RecordFailure: recordFailure,
  RemoveStage: removeStage,
} as const;

export type TaskName = keyof typeof taskFunctions;
