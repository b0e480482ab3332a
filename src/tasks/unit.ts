import type { TaskUnit } from '../deploy/units';
import { errorFields, log } from '../log';
import { taskFunctions, type TaskName, type TaskUnitDeps } from './registry';

/** What a Lambda Task state sends a unit: the task's name, and its input beside it. */
export type TaskPayload = { task: string } & Record<string, unknown>;

type Run = (input: unknown, deps: unknown) => Promise<unknown>;

/**
 * A task unit's handler: it runs the task the payload names, if the task is one of the unit's. The
 * error's name becomes Lambda's errorType, which is what the state machine's Retry and Catch match,
 * so errors pass through unchanged.
 */
export function taskUnit<U extends TaskUnit>(unit: U, deps: TaskUnitDeps<U>) {
  return async ({ task: name, ...input }: TaskPayload): Promise<unknown> => {
    const declared = taskFunctions[name as TaskName];
    if (!declared || declared.unit !== unit) {
      throw Object.assign(new Error(`the ${unit} function has no task ${name}`), { name: 'UnknownTask' });
    }
    try {
      return await (declared.run as Run)(input, deps);
    } catch (error) {
      log.error('task failed', { task: name, ...errorFields(error) });
      throw error;
    }
  };
}
