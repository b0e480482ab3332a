import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

const PREFIX = 'arn:aws:states:eu-west-1:111122223333:stateMachine:tinystacks-ci-';
const DEPLOY_ARN = `${PREFIX}deployStage`;
const DELETE_ARN = `${PREFIX}deleteStage`;
process.env.STATE_MACHINE_ARN_PREFIX = PREFIX;
const { workflows, executionArnOf } = await import('../../../src/cloud/aws/workflows');

const sfn = mockClient(SFNClient);
const meta = { $metadata: {} };

beforeEach(() => sfn.reset());

describe('start', () => {
  test('starts the workflow’s state machine with the execution name and JSON input', async () => {
    // Prepare
    const executionArn = executionArnOf(DEPLOY_ARN, 'op_1');
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });

    // Act
    const started = await workflows.start('deployStage', 'op_1', { tenantId: 't1' });

    // Assess
    expect(started).toEqual({ executionArn, alreadyStarted: false });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: DEPLOY_ARN,
      name: 'op_1',
      input: '{"tenantId":"t1"}',
    });
  });

  test('maps each workflow to its own state machine', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: executionArnOf(DELETE_ARN, 'op_2'), startDate: new Date() });

    // Act
    await workflows.start('deleteStage', 'op_2', {});

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(DELETE_ARN);
  });

  test('an existing execution with that name means the start was a retry', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ ...meta, message: 'Execution Already Exists' }));

    // Act
    const started = await workflows.start('deployStage', 'op_3', {});

    // Assess
    expect(started).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:tinystacks-ci-deployStage:op_3',
      alreadyStarted: true,
    });
  });

  test('other errors propagate', async () => {
    // Prepare
    const throttled = new SFNServiceException({
      ...meta,
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'slow down',
    });
    sfn.on(StartExecutionCommand).rejects(throttled);

    // Act
    const starting = workflows.start('deployStage', 'op_4', {});

    // Assess
    await expect(starting).rejects.toBe(throttled);
  });
});

describe('task tokens', () => {
  test('sendTaskSuccess delivers the output as JSON', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const delivery = await workflows.sendTaskSuccess('token-1', { status: 'CREATE_COMPLETE' });

    // Assess
    expect(delivery).toBe('delivered');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"status":"CREATE_COMPLETE"}',
    });
  });

  test('sendTaskFailure delivers the error and cause', async () => {
    // Prepare
    sfn.on(SendTaskFailureCommand).resolves({});

    // Act
    const delivery = await workflows.sendTaskFailure('token-2', 'Rejected', 'rejected by alice');

    // Assess
    expect(delivery).toBe('delivered');
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-2',
      error: 'Rejected',
      cause: 'rejected by alice',
    });
  });

  test.each([
    ['TaskTimedOut', () => new TaskTimedOut({ ...meta, message: 'timed out' })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ ...meta, message: 'no task' })],
    ['InvalidToken', () => new InvalidToken({ ...meta, message: 'bad token' })],
  ])('%s means the execution no longer waits: gone', async (_name, error) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(error());
    sfn.on(SendTaskFailureCommand).rejects(error());

    // Act
    const success = await workflows.sendTaskSuccess('token-3', {});
    const failure = await workflows.sendTaskFailure('token-3', 'E', 'c');

    // Assess
    expect([success, failure]).toEqual(['gone', 'gone']);
  });

  test('throttling that outlasts the SDK’s retries propagates', async () => {
    // Prepare
    const throttled = new SFNServiceException({
      ...meta,
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'slow down',
    });
    sfn.on(SendTaskSuccessCommand).rejects(throttled);

    // Act
    const sending = workflows.sendTaskSuccess('token-4', {});

    // Assess
    await expect(sending).rejects.toBe(throttled);
  });
});

test('a missing state machine ARN prefix fails at load, naming the variable', async () => {
  // Prepare
  delete process.env.STATE_MACHINE_ARN_PREFIX;

  // Act
  const loading = jest.isolateModulesAsync(async () => {
    await import('../../../src/cloud/aws/workflows');
  });

  // Assess
  await expect(loading).rejects.toThrow('Missing environment variable STATE_MACHINE_ARN_PREFIX');
  process.env.STATE_MACHINE_ARN_PREFIX = PREFIX;
});
