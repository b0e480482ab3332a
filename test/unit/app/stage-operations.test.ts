import { lockStageAndRecord } from '../../../src/app/stage-operations';
import type { Stage } from '../../../src/domain/stage';
import type { Store } from '../../../src/store/store';

const stage = { tenantId: 'acme', stackId: 'stk_1', name: 'dev', status: 'ACTIVE' } as Stage;

/** Records the lock calls in order. */
function fakeStore() {
  const calls: string[] = [];
  const store = {
    lockStage: async (_s: Stage, op: string, status: string) => void calls.push(`lock ${op} ${status}`),
    releaseStageLock: async (_s: Stage, op: string, status: string) =>
      void calls.push(`release ${op} ${status}`),
  } as unknown as Store;
  return { store, calls };
}

test('locks the stage, then records; the lock stays for the workflow', async () => {
  // Prepare
  const { store, calls } = fakeStore();

  // Act
  await lockStageAndRecord({ store }, stage, 'op_1', async () => void calls.push('record'));

  // Assess
  expect(calls).toEqual(['lock op_1 UPDATING', 'record']);
});

test('a failed record releases the lock, back to the stage status before, and fails as it did', async () => {
  // Prepare
  const { store, calls } = fakeStore();
  const refused = new Error('conditional check failed');

  // Act
  const locking = lockStageAndRecord({ store }, stage, 'op_2', async () => {
    throw refused;
  });

  // Assess
  await expect(locking).rejects.toBe(refused);
  expect(calls).toEqual(['lock op_2 UPDATING', 'release op_2 ACTIVE']);
});
