import { readFileSync } from 'node:fs';
import { changesSummary } from '../../../src/domain/changes';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../../src/domain/operation';
import { STAGE_STATUSES } from '../../../src/domain/stage';
import { LocalEventBus, type PutEventsEntry } from '../../../src/local/bus';
import type { Store } from '../../../src/store/store';
import { recordFailure } from '../../../src/tasks/stage-steps';
import {
  EMITTED_BY_API,
  type EmittedDetailType,
  readSamples,
  readSchema,
  SCHEMA_FILES,
  validateEvent,
} from '../../support/event-schemas';

const samples = readSamples('tinystacks');
const sample = (name: string) =>
  structuredClone(samples[name]) as { detail: Record<string, unknown> } & Record<string, unknown>;

type AslState = { Type: string; Resource?: string; Parameters?: { Entries?: PutEventsEntry[] } } & Record<
  string,
  unknown
>;

/** Every events:putEvents entry of every state machine, with the state that puts it. */
function emittedEntries(): { machine: string; state: string; entry: PutEventsEntry }[] {
  const found: { machine: string; state: string; entry: PutEventsEntry }[] = [];
  const walk = (machine: string, states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Resource === 'arn:aws:states:::events:putEvents') {
        for (const entry of state.Parameters?.Entries ?? []) found.push({ machine, state: name, entry });
      }
      for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? []) {
        walk(machine, branch.States);
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as
        { States: Record<string, AslState> } | undefined;
      if (processor) walk(machine, processor.States);
    }
  };
  for (const machine of [
    'deploy-stage',
    'delete-stage',
    'add-database',
    'create-read-replica',
    'delete-database',
    'provision-bastion',
    'delete-bastion',
    'create-pipeline',
    'pipeline-run',
  ]) {
    const url = new URL(`../../../statemachines/${machine}.asl.json`, import.meta.url);
    walk(machine, (JSON.parse(readFileSync(url, 'utf8')) as { States: Record<string, AslState> }).States);
  }
  return found;
}

const OPERATION_TYPE_OF: Record<string, string> = {
  'delete-stage': 'DELETE_STAGE',
  'add-database': 'ADD_DATABASE',
  'create-read-replica': 'CREATE_READ_REPLICA',
  'delete-database': 'DELETE_DATABASE',
  'provision-bastion': 'PROVISION_BASTION',
  'delete-bastion': 'DELETE_BASTION',
  'delete-stack': 'DELETE_STACK',
};

const WORKFLOW_INPUT = {
  tenantId: 'acme',
  operationId: 'op_01jn8jn570rmaz5xgt4cyhs9m8',
  stackId: 'stk_01jn8jc080jdpw4jc4hepvfnvh',
  stageName: 'dev',
};

/**
 * What each JSONPath of a state machine's Detail templates holds at run time; `$.failure` is what
 * the RecordFailure task really returns (its store calls stubbed out).
 */
async function runtimeValues(machine: string): Promise<Record<string, unknown>> {
  const store = {
    finishOperation: async () => undefined,
    releaseStageLock: async () => undefined,
    failPendingChange: async () => undefined,
    getStage: async () => undefined,
    deployments: { end: async () => true },
  };
  const failure = await recordFailure(
    {
      ...WORKFLOW_INPUT,
      error: { Error: 'States.TaskFailed', Cause: 'Service (AWS::ECS::Service): CannotPullContainerError' },
    },
    { store: store as unknown as Store },
  );
  return {
    '$.tenantId': WORKFLOW_INPUT.tenantId,
    '$.operationId': WORKFLOW_INPUT.operationId,
    '$.stackId': WORKFLOW_INPUT.stackId,
    '$.stageName': WORKFLOW_INPUT.stageName,
    '$.operationType': OPERATION_TYPE_OF[machine] ?? 'UPDATE_STAGE',
    '$.engine': 'postgres',
    '$.stack.outputs.StageUrl': 'https://k3x9q7w2ab.execute-api.eu-west-1.amazonaws.com',
    '$.failure.reason': failure.reason,
    '$.failure.stageStatus': failure.stageStatus,
    '$.failure.deploymentStatus': failure.deploymentStatus,
    '$.deploymentId': 'dep_01jn8jn570rmaz5xgt4cyhs9m8',
    // pipeline-run: what PickNextStage, CreateApproval, the approval's decision, PrepareStageDeploy
    // and the stop paths (ApprovalRejected and its siblings) put in the state
    '$.runId': 'run_01jn8kq3m0b7w6r4t2zyx9c8de',
    '$.next.stageName': 'staging',
    '$.approval.approvalId': 'apr_01jn8m2c4e6g8j0k2m4p6r8t0v',
    '$.approval.expiresAt': '2025-03-08T11:06:40.123Z',
    // what DescribeStageDeployPlan puts there, from a plan that changes a little of everything
    '$.planned.summary': changesSummary({
      image: { from: null, to: '111122223333.dkr.ecr.us-east-1.amazonaws.com/tinystacks/stk_1:9a8b7c6' },
      commits: { compareUrl: null },
      environment: { added: ['FEATURE_FLAGS'], removed: [], changed: ['LOG_LEVEL'] },
      resources: [
        {
          logicalId: 'TaskDefinition',
          type: 'AWS::ECS::TaskDefinition',
          action: 'Modify',
          replacement: 'True',
        },
      ],
    }),
    '$.decision.decidedBy': 'slack:U0123ABCD',
    '$.decision.approvedBy': ['alice@example.com', 'slack:U0123ABCD'],
    '$.deploy.operationId': WORKFLOW_INPUT.operationId,
    '$.stop.approval': 'REJECTED',
    '$.stop.runStatus': 'STOPPED',
    '$.stop.stageStatus': 'REJECTED',
    '$.stop.reason': 'the deploy to staging was rejected',
    // …and what CheckDeployWindow puts there
    '$.window.opensAt': '2025-03-03T08:00:00.000Z',
    '$.window.overriddenBy': 'acme-user',
    '$.window.reason': 'hotfix for the checkout outage',
    // FindBuiltImage: the commit's image, built for an earlier run
    '$.built.imageUri':
      '111122223333.dkr.ecr.us-east-1.amazonaws.com/tinystacks/stk_01jn8jc080jdpw4jc4hepvfnvh:4f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39',
  };
}

/** Fills a Detail template as Step Functions would: `"x.$": "$.path"` becomes `"x": <value>`. */
function renderDetail(
  template: Record<string, unknown>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) => {
      if (!key.endsWith('.$')) return [key, value];
      if (!(String(value) in values)) throw new Error(`no runtime value for ${String(value)}`);
      return [key.slice(0, -2), values[String(value)]];
    }),
  );
}

describe('samples', () => {
  test('there is a sample for every emitted detail-type', () => {
    // Prepare
    // Act
    const detailTypes = new Set(
      Object.values(samples).map((event) => (event as Record<string, unknown>)['detail-type']),
    );

    // Assess
    expect([...detailTypes].sort()).toEqual(Object.keys(SCHEMA_FILES).sort());
  });

  test.each(Object.keys(samples))('%s is valid', (name) => {
    // Prepare
    const event = sample(name);

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toEqual([]);
  });
});

describe('what the schemas refuse', () => {
  test.each([
    ['operation-status-change-succeeded.json', 'operationId'],
    ['operation-status-change-succeeded.json', 'status'],
    ['stage-status-change-active.json', 'stackId'],
    ['stage-status-change-active.json', 'url'],
    ['stage-status-change-failed.json', 'error'],
  ])('%s without detail.%s', (name, field) => {
    // Prepare
    const event = sample(name);
    delete event.detail[field];

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toContain(`/detail must have required property '${field}'`);
  });

  test.each(Object.keys(samples))('%s with a password-like extra field in detail', (name) => {
    // Prepare
    const event = sample(name);
    event.detail.masterPassword = 'hunter2-hunter2';

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toContain('/detail must not have masterPassword');
  });

  test.each(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'])(
    'an event without the envelope field %s',
    (field) => {
      // Prepare
      const event = sample('operation-status-change-succeeded.json');
      delete event[field];

      // Act
      const errors = validateEvent(event);

      // Assess
      expect(errors.length).toBeGreaterThan(0);
    },
  );

  test.each([
    ['a source of another product', 'source', 'aws.cloudformation'],
    ['an account that is not 12 digits', 'account', '1234'],
    ['a time that is not a date-time', 'time', '01/Mar/2025:10:00:00 +0000'],
  ])('an event with %s', (_, field, value) => {
    // Prepare
    const event = sample('stage-status-change-deleted.json');
    event[field] = value;

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^/${field} `));
  });

  test.each([
    ['an operation status never emitted', 'operation-status-change-succeeded.json', 'status', 'PENDING'],
    ['an unknown operation type', 'operation-status-change-succeeded.json', 'type', 'LAUNCH_ROCKET'],
    ['an unknown engine', 'database-status-change-available.json', 'engine', 'oracle'],
    ['a database status never emitted', 'database-status-change-available.json', 'status', 'CREATING'],
    ['an unknown audited action', 'credentials-accessed.json', 'action', 'READ_EVERYTHING'],
    ['an unknown stage status', 'stage-status-change-deleted.json', 'status', 'GONE'],
    ['a stage name that is not one', 'stage-status-change-deleted.json', 'stageName', 'Dev_Stage'],
    ['a stack id that is not one', 'stage-status-change-deleted.json', 'stackId', 'my-stack'],
    ['a tenant id with a key separator', 'stage-status-change-deleted.json', 'tenantId', 'acme#other'],
  ])('a detail with %s', (_, name, field, value) => {
    // Prepare
    const event = sample(name);
    event.detail[field] = value;

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors.some((error) => error.startsWith(`/detail/${field} `))).toBe(true);
  });

  test('an error on an operation that did not fail', () => {
    // Prepare
    const event = sample('operation-status-change-succeeded.json');
    event.detail.error = 'leftover';

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toContain('/detail must NOT be valid');
  });

  test('a url on a stage that is not ACTIVE', () => {
    // Prepare
    const event = sample('stage-status-change-deleted.json');
    event.detail.url = 'https://k3x9q7w2ab.execute-api.eu-west-1.amazonaws.com';

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toContain('/detail must NOT be valid');
  });

  test('a detail-type without a schema', () => {
    // Prepare
    const event = { ...sample('stage-status-change-deleted.json'), 'detail-type': 'Rocket Launched' };

    // Act
    const errors = validateEvent(event);

    // Assess
    expect(errors).toEqual(['no schema for detail-type "Rocket Launched"']);
  });

  test.each([null, 'text', {}])('something that is not an event (%p)', (value) => {
    // Prepare
    // Act
    const errors = validateEvent(value);

    // Assess
    expect(errors).toEqual(['/detail-type must be a string']);
  });
});

describe('the schemas and the code agree', () => {
  const enumOf = (detailType: EmittedDetailType, field: string) =>
    (
      readSchema(detailType) as {
        $defs: { detail: { properties: Record<string, { enum?: string[] }> } };
      }
    ).$defs.detail.properties[field]!.enum;

  test('operation types are those of src/domain/operation.ts', () => {
    // Prepare
    // Act
    const types = enumOf('Operation Status Change', 'type');

    // Assess
    expect(types).toEqual([...OPERATION_TYPES]);
  });

  test('operation statuses are those of src/domain/operation.ts but PENDING, which is never emitted', () => {
    // Prepare
    // Act
    const statuses = enumOf('Operation Status Change', 'status');

    // Assess
    expect(statuses).toEqual(OPERATION_STATUSES.filter((status) => status !== 'PENDING'));
  });

  test('stage statuses are those of src/domain/stage.ts and DELETED', () => {
    // Prepare
    // Act
    const statuses = enumOf('Stage Status Change', 'status');

    // Assess
    expect(statuses).toEqual([...STAGE_STATUSES, 'DELETED']);
  });

  test('every entry the state machines put is from tinystacks, with a detail-type that has a schema', () => {
    // Prepare
    const entries = emittedEntries();

    // Act
    const kinds = new Set(entries.map(({ entry }) => `${entry.Source} / ${entry.DetailType}`));

    // Assess
    expect(entries.length).toBeGreaterThan(0);
    expect([...kinds].sort()).toEqual(
      (Object.keys(SCHEMA_FILES) as EmittedDetailType[])
        .filter((type) => !EMITTED_BY_API.includes(type))
        .map((type) => `tinystacks / ${type}`)
        .sort(),
    );
  });

  test.each(
    emittedEntries().map(
      ({ machine, state, entry }) => [`${machine} ${state}: ${entry.DetailType}`, machine, entry] as const,
    ),
  )('%s, put on the bus, matches its schema', async (_, machine, entry) => {
    // Prepare
    const bus = new LocalEventBus('us-east-1', '111122223333');
    const detail = renderDetail(entry.Detail as Record<string, unknown>, await runtimeValues(machine));

    // Act
    bus.putEntries([{ ...entry, Detail: JSON.stringify(detail) }]);

    // Assess
    const [event] = bus.recent();
    expect(validateEvent(event)).toEqual([]);
  });
});
