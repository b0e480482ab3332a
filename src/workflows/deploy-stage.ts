import { workflow } from './asl';
import type { StageState } from './state';
import { stateOf } from './asl';
import {
  deploymentEvent,
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
    "Create or rebuild a stage: render its CloudFormation template, create or update the stack in the customer's account, wait for CloudFormation's status event, record the outputs. Each execution is a deployment of the stage (SUCCEEDED, FAILED, or ROLLED_BACK when CloudFormation undid the update). Failures are recorded, the stage unlocked, and FAILED events emitted.",
  timeoutSeconds: 10800,
  states: {
    ...operationRunning('RenderStageTemplate', [deploymentEvent('IN_PROGRESS')]),
    ...stageRebuild({ change: $.action, deleteFailedCreate: true, next: 'RecordStageReady' }),
    ...recordStageReady('MarkOperationSucceeded'),
    ...operationSucceeded([stageActive(), deploymentEvent('SUCCEEDED')]),
    ...stageOperationFailed({ deploys: true }),
  },
});
