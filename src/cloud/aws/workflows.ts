import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../../domain/workflows';
import type { TaskDelivery } from '../errors';
import type { StartedExecution, WorkflowPort } from '../ports';
import { requireEnv } from './env';

/** A new workflow is one more line here and one more variable in serverless.yml. */
const STATE_MACHINE_ARN_VARIABLES: Record<WorkflowName, string> = {
  deployStage: 'DEPLOY_STAGE_STATE_MACHINE_ARN',
  deleteStage: 'DELETE_STAGE_STATE_MACHINE_ARN',
  addDatabase: 'ADD_DATABASE_STATE_MACHINE_ARN',
  deleteDatabase: 'DELETE_DATABASE_STATE_MACHINE_ARN',
  createReadReplica: 'CREATE_READ_REPLICA_STATE_MACHINE_ARN',
  provisionBastion: 'PROVISION_BASTION_STATE_MACHINE_ARN',
  deleteBastion: 'DELETE_BASTION_STATE_MACHINE_ARN',
  createPipeline: 'CREATE_PIPELINE_STATE_MACHINE_ARN',
  pipelineRun: 'PIPELINE_RUN_STATE_MACHINE_ARN',
};

const stateMachineArns = Object.fromEntries(
  Object.entries(STATE_MACHINE_ARN_VARIABLES).map(([workflow, variable]) => [workflow, requireEnv(variable)]),
) as Record<WorkflowName, string>;

const sfn = new SFNClient({});

/** arn:aws:states:REGION:ACCOUNT:stateMachine:NAME → arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/**
 * The execution no longer waits on this token: it timed out, was already resumed, or was stopped.
 * That is an answer, not a failure. Throttling is not among them: the SDK retries it, and what
 * still fails after that propagates.
 */
const isGone = (error: unknown) =>
  error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken;

async function deliver(send: () => Promise<unknown>): Promise<TaskDelivery> {
  try {
    await send();
    return 'delivered';
  } catch (error) {
    if (isGone(error)) return 'gone';
    throw error;
  }
}

export const workflows: WorkflowPort = {
  async start(workflow, executionName, input): Promise<StartedExecution> {
    const stateMachineArn = stateMachineArns[workflow];
    try {
      const out = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
      );
      return {
        executionArn: out.executionArn ?? executionArnOf(stateMachineArn, executionName),
        alreadyStarted: false,
      };
    } catch (error) {
      // Execution names are operation ids: an existing execution is this operation's, started by a retry.
      if (error instanceof ExecutionAlreadyExists) {
        return { executionArn: executionArnOf(stateMachineArn, executionName), alreadyStarted: true };
      }
      throw error;
    }
  },

  sendTaskSuccess(taskToken, output) {
    return deliver(() => sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  },

  sendTaskFailure(taskToken, error, cause) {
    return deliver(() => sfn.send(new SendTaskFailureCommand({ taskToken, error, cause })));
  },
};
