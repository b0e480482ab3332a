/** What a workflow is waiting for CloudFormation to finish. */
export type StackAction = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONTINUE_ROLLBACK' | 'EXECUTE_CHANGE_SET';

/**
 * The statuses that end each action. CREATE_FAILED and UPDATE_FAILED are not among them: the stack
 * is still rolling back, and nothing can be done to it until the rollback ends.
 */
const TERMINAL: Record<StackAction, readonly string[]> = {
  CREATE: ['CREATE_COMPLETE', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_COMPLETE', 'DELETE_FAILED'],
  UPDATE: ['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'],
  DELETE: ['DELETE_COMPLETE', 'DELETE_FAILED'],
  CONTINUE_ROLLBACK: ['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'],
  // Executing a change set updates the stack exactly as UpdateStack does.
  EXECUTE_CHANGE_SET: ['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'],
};

/** The actions a status can end; empty for statuses that are still in progress. */
export function actionsEndedBy(status: string): StackAction[] {
  return (Object.keys(TERMINAL) as StackAction[]).filter((action) => TERMINAL[action].includes(status));
}

export const SUCCESS_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE'] as const;
