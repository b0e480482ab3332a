import { actionsEndedBy } from '../../../src/domain/stack-status';

describe('actionsEndedBy', () => {
  test.each([
    ['CREATE_COMPLETE', ['CREATE']],
    ['ROLLBACK_COMPLETE', ['CREATE']],
    ['ROLLBACK_FAILED', ['CREATE']],
    ['UPDATE_COMPLETE', ['UPDATE', 'EXECUTE_CHANGE_SET']],
    ['UPDATE_ROLLBACK_COMPLETE', ['UPDATE', 'CONTINUE_ROLLBACK', 'EXECUTE_CHANGE_SET']],
    ['UPDATE_ROLLBACK_FAILED', ['UPDATE', 'CONTINUE_ROLLBACK', 'EXECUTE_CHANGE_SET']],
    ['DELETE_COMPLETE', ['CREATE', 'DELETE']],
    ['DELETE_FAILED', ['CREATE', 'DELETE']],
  ])('%s ends %p', (status, actions) => {
    // Prepare
    // Act
    const ended = actionsEndedBy(status);

    // Assess
    expect(ended).toEqual(actions);
  });

  test.each([
    'CREATE_IN_PROGRESS',
    'CREATE_FAILED',
    'ROLLBACK_IN_PROGRESS',
    'UPDATE_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_FAILED',
    'UPDATE_ROLLBACK_IN_PROGRESS',
    'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    'DELETE_IN_PROGRESS',
    'REVIEW_IN_PROGRESS',
    'IMPORT_COMPLETE',
    'create_complete',
    '',
  ])('%p ends nothing: the stack is still moving, or it is not a status a wait is for', (status) => {
    // Prepare
    // Act
    const ended = actionsEndedBy(status);

    // Assess
    expect(ended).toEqual([]);
  });
});
