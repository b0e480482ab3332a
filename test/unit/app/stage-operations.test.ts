import { launchStageOperation, newStageOperation } from '../../../src/app/stage-operations';
import type { WorkflowPort } from '../../../src/cloud/ports';
import type { Stack } from '../../../src/domain/stack';
import type { Stage } from '../../../src/domain/stage';
import type { Store } from '../../../src/store/store';

const stack = { tenantId: 'acme', stackId: 'stk_1', roleArn: 'arn:aws:iam::111122223333:role/r' } as Stack;
const stage = {
  tenantId: 'acme',
  stackId: 'stk_1',
  name: 'dev',
  status: 'ACTIVE',
  region: 'eu-west-1',
  cfnStackName: 'tinystacks-stk_1-dev',
} as Stage;

/** Records the store's and the workflows' calls in order; `fail` names the call that throws. */
function fakes(fail?: 'record' | 'start') {
  const calls: string[] = [];
  const store = {
    lockStage: async (_s: Stage, op: string, status: string) => void calls.push(`lock ${op} ${status}`),
    releaseStageLock: async (_s: Stage, op: string, status: string) =>
      void calls.push(`release ${op} ${status}`),
    putOperation: async () => void calls.push('put operation'),
    setOperationStarted: async () => void calls.push('operation started'),
    finishOperation: async (_t: string, _op: string, status: string) =>
      void calls.push(`operation ${status}`),
  } as unknown as Store;
  const workflows = {
    start: async (workflow: string, name: string, input: object) => {
      calls.push(`start ${workflow} ${name} ${JSON.stringify(input)}`);
      if (fail === 'start') throw new Error('Step Functions unavailable');
      return { executionArn: `arn:${name}`, alreadyStarted: false };
    },
  } as unknown as WorkflowPort;
  const record = {
    write: async () => {
      calls.push('record');
      if (fail === 'record') throw new Error('conditional check failed');
    },
    undo: async () => void calls.push('undo record'),
  };
  return { deps: { store, workflows }, record, calls };
}

const operation = (id: string) => ({
  ...newStageOperation({ tenantId: 'acme', userId: 'u' }, 'stk_1', 'dev', 'PROVISION_BASTION', {}),
  operationId: id,
});

test('locks the stage, records, then starts the workflow with the stage’s input; the lock stays for it', async () => {
  // Prepare
  const { deps, record, calls } = fakes();

  // Act
  const started = await launchStageOperation(deps, {
    stack,
    stage,
    operation: operation('op_1'),
    input: { action: 'UPDATE', stageStatusBefore: 'ACTIVE', bastion: { cfnStackName: 'b' } },
    record,
  });

  // Assess
  expect(started.executionArn).toBe('arn:op_1');
  expect(calls).toEqual([
    'lock op_1 UPDATING',
    'record',
    'put operation',
    `start provisionBastion op_1 ${JSON.stringify({
      tenantId: 'acme',
      stackId: 'stk_1',
      stageName: 'dev',
      operationId: 'op_1',
      operationType: 'PROVISION_BASTION',
      cfnStackName: 'tinystacks-stk_1-dev',
      target: { roleArn: stack.roleArn, region: 'eu-west-1' },
      action: 'UPDATE',
      stageStatusBefore: 'ACTIVE',
      bastion: { cfnStackName: 'b' },
    })}`,
    'operation started',
  ]);
});

test('a failed record releases the lock, back to the stage status before, starts nothing and fails as it did', async () => {
  // Prepare
  const { deps, record, calls } = fakes('record');

  // Act
  const launching = launchStageOperation(deps, {
    stack,
    stage,
    operation: operation('op_2'),
    input: { action: 'UPDATE' },
    record,
  });

  // Assess
  await expect(launching).rejects.toThrow('conditional check failed');
  expect(calls).toEqual(['lock op_2 UPDATING', 'record', 'release op_2 ACTIVE']);
});

test('a workflow that cannot start fails the operation, then undoes the record and the lock, in that order', async () => {
  // Prepare
  const { deps, record, calls } = fakes('start');

  // Act
  const launching = launchStageOperation(deps, {
    stack,
    stage,
    operation: operation('op_3'),
    input: { action: 'UPDATE' },
    record,
  });

  // Assess
  await expect(launching).rejects.toThrow('Step Functions unavailable');
  expect(calls.filter((call) => !call.startsWith('start'))).toEqual([
    'lock op_3 UPDATING',
    'record',
    'put operation',
    'operation FAILED',
    'undo record',
    'release op_3 ACTIVE',
  ]);
});
