import type { Store } from '../../../src/store/store';
import { failStageOperation, recordFailure } from '../../../src/tasks/stage-steps';

/**
 * A client waits on the operation, then reads the stage: the failure paths end the operation last,
 * as the success path does (the stage ACTIVE with its outputs, then MarkOperationSucceeded).
 */
const input = {
  tenantId: 'acme',
  stackId: 'stk_1',
  stageName: 'qa',
  operationId: 'op_1',
  error: { Error: 'StackFailed', Cause: 'Cluster (AWS::ECS::Cluster): quota reached' },
};

function recordingStore(writes: string[]) {
  const write = (name: string) => async () => {
    writes.push(name);
    return true;
  };
  return {
    deployments: { end: write('deployment'), find: async () => undefined },
    failPendingChange: write('pendingChange'),
    getStage: async () => undefined,
    releaseStageLock: write('stage'),
    finishOperation: write('operation'),
  } as unknown as Store;
}

test('a stage operation that failed ends its operation after the stage is unlocked', async () => {
  // Prepare
  const writes: string[] = [];

  // Act
  const result = await recordFailure(input, { store: recordingStore(writes) } as never);

  // Assess
  expect(result).toMatchObject({ stageStatus: 'FAILED', reason: input.error.Cause });
  expect(writes).toEqual(['deployment', 'pendingChange', 'stage', 'operation']);
});

test('a database or bastion operation that failed ends its operation after the record is put back and the stage unlocked', async () => {
  // Prepare
  const writes: string[] = [];

  // Act
  await failStageOperation(
    { ...input, stageStatusBefore: 'ACTIVE' },
    { store: recordingStore(writes) },
    async () => writes.push('record'),
  );

  // Assess
  expect(writes).toEqual(['deployment', 'record', 'stage', 'operation']);
});
