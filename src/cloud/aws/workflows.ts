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

/**
 * Every state machine is named `<service>-<stage>-<workflow>` (statemachines/serverless-definitions.cjs):
 * its ARN is this prefix and the workflow's name, so a new workflow needs no new variable.
 */
const stateMachineArnPrefix = requireEnv('STATE_MACHINE_ARN_PREFIX');
const stateMachineArnOf = (workflow: WorkflowName) => `${stateMachineArnPrefix}${workflow}`;

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
    const stateMachineArn = stateMachineArnOf(workflow);
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
