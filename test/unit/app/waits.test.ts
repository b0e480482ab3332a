import { readFileSync } from 'node:fs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskDelivery } from '../../../src/cloud/errors';
import type { WorkflowPort } from '../../../src/cloud/ports';
import { newId } from '../../../src/domain/ids';
import type { StackAction } from '../../../src/domain/stack-status';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { keys } from '../../../src/store/keys';
import { StackWaitStore } from '../../../src/store/stack-waits';
import { onStackStatusChange, type StackStatusChange } from '../../../src/events/waits';
import { waitForStack } from '../../../src/tasks/stack-waits';
import { failureReason } from '../../../src/tasks/stage-steps';
import { TABLE_NAME } from '../../support/fixtures';
import { captureLogs } from '../../support/logs';

/** Records every task success sent, and answers with the delivery the test chooses. */
class FakeWorkflows implements WorkflowPort {
  readonly successes: { taskToken: string; output: unknown }[] = [];
  delivery: TaskDelivery = 'delivered';

  async start(): Promise<never> {
    throw new Error('not used by stack waits');
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<TaskDelivery> {
    this.successes.push({ taskToken, output });
    return this.delivery;
  }

  async sendTaskFailure(): Promise<never> {
    throw new Error('not used by stack waits');
  }
}

const REGION = 'eu-west-1';
const ACCOUNT = '444455556666';

let dynamo: LocalDynamo;
let waits: StackWaitStore;
let workflows: FakeWorkflows;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  waits = new StackWaitStore(dynamo.documentClient, TABLE_NAME);
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(() => {
  workflows = new FakeWorkflows();
  logs = captureLogs();
});

afterEach(() => logs.restore());

interface Wait {
  cfnStackName: string;
  operationId: string;
  taskToken: string;
  since: string;
}

/**
 * Registers a wait the way the state machines' RegisterStackWait state does (dynamodb:putItem with
 * `since` = $$.State.EnteredTime, milliseconds included).
 */
async function registerWait(action: StackAction, since = new Date()): Promise<Wait> {
  const cfnStackName = `tinystacks-${newId('stk').replace('_', '-')}-dev`;
  const operationId = newId('op');
  await dynamo.documentClient.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: {
        pk: `WAIT#${REGION}#${cfnStackName}`,
        sk: 'WAIT',
        operationId,
        tenantId: 'acme',
        since: since.toISOString(),
        action,
      },
    }),
  );
  return { cfnStackName, operationId, taskToken: `token-${operationId}`, since: since.toISOString() };
}

/** The stored 'CloudFormation Stack Status Change' sample, as EventBridge delivers it. */
type CloudFormationEvent = StackStatusChange & {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  resources: string[];
};
const SAMPLE = JSON.parse(
  readFileSync(
    new URL(
      '../../../events/samples/cloudformation/stack-status-change-create-complete.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as CloudFormationEvent;

/** The sample, for the wait's stack, with the given status and time. */
function statusEvent(wait: Wait, status: string, time: Date = new Date(), reason = ''): CloudFormationEvent {
  const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${wait.cfnStackName}/2b7e9f10-f6a1-11ef-9c4e-0a1b2c3d4e5f`;
  return {
    ...structuredClone(SAMPLE),
    region: REGION,
    // EventBridge times have whole seconds.
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    resources: [stackId],
    detail: { ...SAMPLE.detail, 'stack-id': stackId, 'status-details': { status, 'status-reason': reason } },
  };
}

const park = (wait: Wait) =>
  waitForStack(
    {
      taskToken: wait.taskToken,
      region: REGION,
      cfnStackName: wait.cfnStackName,
      operationId: wait.operationId,
    },
    { waits, workflows },
  );
const deliver = (event: StackStatusChange) => onStackStatusChange(event, { waits, workflows });
const storedWait = async (wait: Wait) =>
  (
    await dynamo.documentClient.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: keys.stackWait(REGION, wait.cfnStackName),
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('the stored sample', () => {
  test('is the CloudFormation event the handler reads', () => {
    // Prepare
    const sample = structuredClone(SAMPLE);

    // Act
    const stackName = sample.detail['stack-id'].split('/')[1];

    // Assess
    expect(sample).toMatchObject({
      version: '0',
      source: 'aws.cloudformation',
      'detail-type': 'CloudFormation Stack Status Change',
      resources: [sample.detail['stack-id']],
      detail: { 'status-details': { status: 'CREATE_COMPLETE' } },
    });
    expect(sample.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(stackName).toMatch(/^tinystacks-stk-[0-9a-z]{26}-dev$/);
  });
});

describe('resuming a workflow waiting on a stack', () => {
  test('token first, then the final event: one resume, with the outcome', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    await park(wait);

    // Act
    await deliver(statusEvent(wait, 'CREATE_COMPLETE'));

    // Assess
    expect(workflows.successes).toEqual([
      { taskToken: wait.taskToken, output: { status: 'CREATE_COMPLETE', reason: '' } },
    ]);
  });

  test('the final event first, then the token: one resume, at once', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    await deliver(
      statusEvent(
        wait,
        'ROLLBACK_COMPLETE',
        new Date(),
        'The following resource(s) failed to create: [Service]',
      ),
    );

    // Act
    await park(wait);

    // Assess
    expect(workflows.successes).toEqual([
      {
        taskToken: wait.taskToken,
        output: {
          status: 'ROLLBACK_COMPLETE',
          reason: 'The following resource(s) failed to create: [Service]',
        },
      },
    ]);
  });

  test('the same final event delivered 5 times at once, with the token, resumes exactly once', async () => {
    // Prepare
    const wait = await registerWait('UPDATE');
    const event = statusEvent(wait, 'UPDATE_COMPLETE');

    // Act
    await Promise.all([
      deliver(event),
      deliver(event),
      park(wait),
      deliver(event),
      deliver(event),
      deliver(event),
    ]);

    // Assess
    expect(workflows.successes).toHaveLength(1);
    expect(workflows.successes[0]!.taskToken).toBe(wait.taskToken);
  });

  test('a retried WaitForStack (the same token twice at once) after the final event resumes once', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    await deliver(statusEvent(wait, 'CREATE_COMPLETE'));

    // Act
    await Promise.all([park(wait), park(wait), park(wait)]);

    // Assess
    expect(workflows.successes).toHaveLength(1);
  });

  test('duplicates after the resume change nothing', async () => {
    // Prepare
    const wait = await registerWait('DELETE');
    await park(wait);
    await deliver(statusEvent(wait, 'DELETE_COMPLETE'));
    const afterResume = await storedWait(wait);

    // Act
    await deliver(statusEvent(wait, 'DELETE_COMPLETE'));
    await park(wait);

    // Assess
    expect(workflows.successes).toHaveLength(1);
    expect(await storedWait(wait)).toEqual(afterResume);
  });

  test('an event from the second before the wait began is ignored', async () => {
    // Prepare
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 + 300);
    const wait = await registerWait('CREATE', since);
    await park(wait);
    const previousSecond = new Date(since.getTime() - 1000);

    // Act
    await deliver(statusEvent(wait, 'CREATE_COMPLETE', previousSecond));

    // Assess
    expect(workflows.successes).toEqual([]);
    expect((await storedWait(wait))?.outcome).toBeUndefined();
  });

  test('an event of the second the wait began counts, although EventBridge drops the milliseconds', async () => {
    // Prepare
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 + 300);
    const wait = await registerWait('CREATE', since);
    await park(wait);

    // Act
    await deliver(statusEvent(wait, 'CREATE_COMPLETE', since));

    // Assess
    expect(workflows.successes).toHaveLength(1);
  });

  test('a stale event does not stop the real one from resuming the workflow', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    await park(wait);
    await deliver(statusEvent(wait, 'DELETE_COMPLETE', new Date(Date.now() - 60_000)));

    // Act
    await deliver(statusEvent(wait, 'CREATE_COMPLETE'));

    // Assess
    expect(workflows.successes.map((s) => s.output)).toEqual([{ status: 'CREATE_COMPLETE', reason: '' }]);
  });

  test.each(['CREATE_IN_PROGRESS', 'CREATE_FAILED', 'ROLLBACK_IN_PROGRESS'])(
    'an in-progress status (%s) is ignored',
    async (status) => {
      // Prepare
      const wait = await registerWait('CREATE');
      await park(wait);

      // Act
      await deliver(statusEvent(wait, status));

      // Assess
      expect(workflows.successes).toEqual([]);
      expect((await storedWait(wait))?.outcome).toBeUndefined();
    },
  );

  test('UPDATE_COMPLETE does not end a CREATE wait', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    await park(wait);

    // Act
    await deliver(statusEvent(wait, 'UPDATE_COMPLETE'));

    // Assess
    expect(workflows.successes).toEqual([]);
    expect((await storedWait(wait))?.outcome).toBeUndefined();
  });

  test('UPDATE_ROLLBACK_COMPLETE ends a CONTINUE_ROLLBACK wait', async () => {
    // Prepare
    const wait = await registerWait('CONTINUE_ROLLBACK');
    await park(wait);

    // Act
    await deliver(statusEvent(wait, 'UPDATE_ROLLBACK_COMPLETE'));

    // Assess
    expect(workflows.successes.map((s) => s.output)).toEqual([
      { status: 'UPDATE_ROLLBACK_COMPLETE', reason: '' },
    ]);
  });

  test('an event for a stack nobody waits on changes nothing', async () => {
    // Prepare
    const wait: Wait = {
      cfnStackName: 'tinystacks-unwatched-dev',
      operationId: 'op_x',
      taskToken: 't',
      since: '',
    };

    // Act
    await deliver(statusEvent(wait, 'CREATE_COMPLETE'));

    // Assess
    expect(workflows.successes).toEqual([]);
    expect(await storedWait(wait)).toBeUndefined();
  });

  test('a delivery the workflow no longer waits for ("gone") is tolerated, and not retried', async () => {
    // Prepare
    workflows.delivery = 'gone';
    const wait = await registerWait('CREATE');
    await park(wait);

    // Act
    const handled = deliver(statusEvent(wait, 'CREATE_COMPLETE'));

    // Assess
    await expect(handled).resolves.toBeUndefined();
    await deliver(statusEvent(wait, 'CREATE_COMPLETE'));
    expect(workflows.successes).toHaveLength(1);
    expect((await storedWait(wait))?.resumedAt).toEqual(expect.any(String));
  });

  test('parking a token without a registered wait fails with StackWaitMissing', async () => {
    // Prepare
    const wait: Wait = {
      cfnStackName: 'tinystacks-never-registered',
      operationId: newId('op'),
      taskToken: 't',
      since: '',
    };

    // Act
    const parked = park(wait);

    // Assess
    await expect(parked).rejects.toMatchObject({ name: 'StackWaitMissing' });
  });

  test('parking a token for another operation’s wait fails, and leaves that wait alone', async () => {
    // Prepare
    const wait = await registerWait('CREATE');
    const intruder = { ...wait, operationId: newId('op'), taskToken: 'intruder-token' };

    // Act
    const parked = park(intruder);

    // Assess
    await expect(parked).rejects.toMatchObject({ name: 'StackWaitMissing' });
    expect((await storedWait(wait))?.taskToken).toBeUndefined();
  });
});

describe('failureReason', () => {
  test('a Lambda error’s JSON Cause gives its errorMessage', () => {
    // Prepare
    const error = {
      Error: 'StackBusy',
      Cause: JSON.stringify({
        errorType: 'StackBusy',
        errorMessage: 'stack tinystacks-stk-1-dev is in UPDATE_IN_PROGRESS',
        trace: [
          'StackBusy: stack tinystacks-stk-1-dev is in UPDATE_IN_PROGRESS',
          '    at updateStack (file:///var/task/index.mjs:1:1)',
        ],
      }),
    };

    // Act
    const reason = failureReason(error);

    // Assess
    expect(reason).toBe('stack tinystacks-stk-1-dev is in UPDATE_IN_PROGRESS');
  });

  test('a plain Cause is the reason', () => {
    // Prepare
    const error = { Error: 'States.Timeout', Cause: 'The task timed out after 900 seconds' };

    // Act
    const reason = failureReason(error);

    // Assess
    expect(reason).toBe('The task timed out after 900 seconds');
  });

  test('a JSON Cause without errorMessage is kept whole', () => {
    // Prepare
    const error = {
      Error: 'DynamoDB.ConditionalCheckFailedException',
      Cause: '{"message":"The conditional request failed"}',
    };

    // Act
    const reason = failureReason(error);

    // Assess
    expect(reason).toBe('{"message":"The conditional request failed"}');
  });

  test('without a Cause, the error name is the reason', () => {
    // Prepare
    // Act
    const reason = failureReason({ Error: 'States.Runtime' });

    // Assess
    expect(reason).toBe('States.Runtime');
  });

  test.each([
    ['no error at all', undefined],
    ['an empty error', {}],
    ['empty strings', { Error: '', Cause: '' }],
  ])('with %s, the reason is "unknown error"', (_, error) => {
    // Prepare
    // Act
    const reason = failureReason(error);

    // Assess
    expect(reason).toBe('unknown error');
  });
});
