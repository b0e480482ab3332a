import { readFileSync } from 'node:fs';
import { iam, IamRecorder, type IamRecord } from '../../src/local/iam-recorder';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, newStack, type Client } from '../support/client';

/**
 * What the embedded runtime records for the IAM proof (src/local/iam-recorder.ts), on a real
 * workflow: each unit's calls under its name, through the ports and the DynamoDB client; each
 * state machine's Tasks by state; the customer's account reached through the platform principal
 * with the tenant's external id. The jest set-up turns recording on for this suite.
 */
describe('AWS calls recorded while the runtime works', () => {
  let runtime: Runtime;
  let api: Client;
  const ROLE = 'arn:aws:iam::444455556666:role/tinystacks';

  beforeAll(async () => {
    runtime = await startRuntime({ port: 0, stackDelayMs: 20 });
    api = client(runtime.url, runtime.tokenFor('acme'));
  });
  afterAll(async () => {
    await runtime.workflows.idle();
    await runtime.close();
  });

  /** This test's records, summed over the lines written for them. */
  function recorded(): IamRecord[] {
    iam.flush();
    const test = iam.testName();
    const lines = readFileSync(iam.recordFile!, 'utf8').trim().split('\n');
    return lines.map((line) => JSON.parse(line) as IamRecord).filter((r) => r.test === test);
  }
  const calls = (records: IamRecord[], principal: string) => [
    ...new Set(
      records
        .filter((r) => r.principal === principal)
        .map((r) => `${r.action ?? r.state} ${r.resource ?? ''}`.trim()),
    ),
  ];

  test('a stack registered with a role and a stage created: each caller’s calls, as AWS would see them', async () => {
    // Prepare
    expect(iam.enabled).toBe(true);

    // Act
    const stack = await api.post<{ stackId: string }>('/v1/stacks', {
      ...newStack(),
      roleArn: ROLE,
      region: 'eu-west-1',
    });
    const created = await api.post<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.body.stackId}/stages`,
      {
        name: 'dev',
      },
    );
    const operation = await api.operationEnd(created.body.operation.operationId);
    await runtime.workflows.idle();

    // Assess
    expect(operation.status).toBe('SUCCEEDED');
    const records = recorded();
    const table = 'arn:aws:dynamodb:${AWS_REGION}:${AWS_ACCOUNT_ID}:table/${TABLE_NAME}';
    const stackArn = `arn:aws:cloudformation:eu-west-1:444455556666:stack/tinystacks-${stack.body.stackId.replace(/_/g, '-')}-dev/00000000-0000-4000-8000-000000000000`;
    // The verifier assumes the customer's role itself, with the tenant's external id.
    expect(records).toContainEqual(
      expect.objectContaining({
        principal: 'unit:customerApi',
        action: 'sts:AssumeRole',
        resource: ROLE,
        context: { 'sts:ExternalId': expect.any(String) },
      }),
    );
    expect(calls(records, 'unit:api')).toEqual(
      expect.arrayContaining([
        `dynamodb:PutItem ${table}`,
        'states:StartExecution ${STATE_MACHINE_ARN_PREFIX}deployStage',
      ]),
    );
    expect(calls(records, 'stateMachine:deployStage')).toEqual(
      expect.arrayContaining([
        'MarkOperationRunning',
        'RenderStageTemplate',
        'CreateStack',
        'WaitForStack',
        'MarkOperationSucceeded',
      ]),
    );
    // The task unit assumes the platform principal, which assumes the customer's role; the call is the role's.
    expect(calls(records, 'unit:customerTasks')).toEqual(
      expect.arrayContaining(['sts:AssumeRole ${PLATFORM_PRINCIPAL_ARN}']),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        principal: 'platformPrincipal',
        via: 'customerTasks',
        resource: ROLE,
        context: { 'sts:ExternalId': expect.any(String) },
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        principal: 'customerRole',
        via: 'customerTasks',
        account: '444455556666',
        action: 'cloudformation:CreateStack',
        resource: stackArn,
      }),
    );
    // CloudFormation's status event resumes the wait: the events unit sends the task token.
    expect(calls(records, 'unit:events')).toEqual(expect.arrayContaining(['states:SendTaskSuccess *']));
    // That event crossed into the platform's account on the forwarding rule, with its role (the
    // embedded runtime is one account, 000000000000, standing for every customer's).
    expect(records).toContainEqual(
      expect.objectContaining({
        principal: 'forwardingRole',
        account: '000000000000',
        action: 'events:PutEvents',
        context: {
          'events:source': ['aws.cloudformation'],
          'events:detail-type': ['CloudFormation Stack Status Change'],
        },
      }),
    );
    // Every record names a caller the package check knows.
    expect(
      records.filter(
        (r) =>
          !/^(unit:\w+|stateMachine:\w+|platformPrincipal|customerRole|forwardingRole)$/.test(r.principal),
      ),
    ).toEqual([]);
  });

  test('off unless asked: no record file, and the ports and handlers are the runtime’s own', () => {
    // Prepare
    const off = new IamRecorder(undefined);
    const deps = { workflows: runtime.workflows };
    const handler = async () => 'ok';

    // Act / Assess
    expect(off.deps(deps)).toBe(deps);
    expect(off.handler('api', handler)).toBe(handler);
    expect(off.recordFile).toBeUndefined();
  });
});
