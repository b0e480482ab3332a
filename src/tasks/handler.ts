import { errorFields, log } from '../log';

/**
 * Wraps a task function as a Lambda handler. The error's name becomes Lambda's errorType, which is
 * what the state machine's Retry and Catch match, so errors pass through unchanged.
 */
export function taskHandler<I, O, D>(task: (input: I, deps: D) => Promise<O>, deps: D) {
  return async (input: I): Promise<O> => {
    try {
      return await task(input, deps);
    } catch (error) {
      log.error('task failed', { task: task.name, ...errorFields(error) });
      throw error;
    }
  };
}
