import { workflow } from './asl';
import type { StageState } from './state';
import { stateOf } from './asl';
import {
  operationRunning,
  operationSucceeded,
  recordStageReady,
  stageActive,
  stageOperationFailed,
  stageRebuild,
} from './steps';

const $ = stateOf<StageState>();

export default workflow({
  comment:
    "Create or rebuild a stage: render its CloudFormation template, create or update the stack in the customer's account, wait for CloudFormation's status event, record the outputs. Failures are recorded, the stage unlocked, and a FAILED event emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RenderStageTemplate'),
    ...stageRebuild({ change: $.action, deleteFailedCreate: true, next: 'RecordStageReady' }),
    ...recordStageReady('MarkOperationSucceeded'),
    ...operationSucceeded([stageActive()]),
    ...stageOperationFailed(),
  },
});
