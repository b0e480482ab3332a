import { stackWait, tokenArrived } from '../app/waits';
import type { TaskDeps } from './deps';

type Deps = Pick<TaskDeps, 'waits' | 'workflows'>;

export interface WaitForStackInput {
  taskToken: string;
  region: string;
  cfnStackName: string;
  operationId: string;
}

/**
 * Parks the workflow's task token. If the stack already finished (its event came before the
 * token), the outcome is on the record and the workflow resumes at once.
 */
export async function waitForStack(input: WaitForStackInput, deps: Deps): Promise<void> {
  const { region, cfnStackName, operationId } = input;
  const wait = await deps.waits.parkToken(region, cfnStackName, operationId, input.taskToken);
  await tokenArrived(
    stackWait(deps.waits),
    wait && { ...wait, region, cfnStackName },
    () =>
      Object.assign(new Error(`no stack wait registered for ${cfnStackName} and operation ${operationId}`), {
        name: 'StackWaitMissing',
      }),
    deps.workflows,
  );
}
