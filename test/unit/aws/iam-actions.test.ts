import { readdirSync, readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { PORT_IAM, type IamPort, type PortIam } from '../../../src/cloud/aws/iam-actions';
import type { ApprovalMessage } from '../../../src/cloud/ports';
import { assumedRoles, freshClock, grantCredentials, PLATFORM_PRINCIPAL_ARN, sts } from './sts-fakes';

/**
 * src/cloud/aws/iam-actions.ts says what each port method asks of IAM; the embedded runtime records
 * that, and the IAM proof checks it against the roles. Here every AWS adapter is run, its SDK
 * clients mocked, and the commands it sends are compared with the table, so the two cannot drift.
 */
const SUBSCRIPTION_KEY_SECRET =
  'arn:aws:secretsmanager:us-east-1:111122223333:secret:SubscriptionKeySecret-AbCdEf';
process.env.STATE_MACHINE_ARN_PREFIX = 'arn:aws:states:us-east-1:111122223333:stateMachine:tinystacks-ci-';
process.env.EVENT_BUS_NAME = 'tinystacks-ci';
process.env.SUBSCRIPTION_KEY_SECRET = SUBSCRIPTION_KEY_SECRET;
process.env.NOTIFICATION_SENDER = 'approvals@example.com';
process.env.WEBHOOK_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/deliveries';

/** IAM's service prefix of each SDK client the adapters use. */
const SERVICES: [new (config: object) => unknown, string][] = [
  [CloudFormationClient, 'cloudformation'],
  [CloudWatchLogsClient, 'logs'],
  [CodePipelineClient, 'codepipeline'],
  [ECRClient, 'ecr'],
  [EventBridgeClient, 'events'],
  [S3Client, 's3'],
  [SecretsManagerClient, 'secretsmanager'],
  [SESv2Client, 'ses'],
  [SFNClient, 'states'],
  [SQSClient, 'sqs'],
  [SSMClient, 'ssm'],
];
/** Operations IAM authorizes under another action's name (the service authorization reference). */
const IAM_NAME: Record<string, string> = {
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};
const REPOSITORY_URI = '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tinystacks/stk_1';
const ring = JSON.stringify({ current: 'k1', k1: 'A'.repeat(64) });
/** What these tests use of aws-sdk-client-mock's stub, for clients of every service at once. */
interface Behaviour {
  resolves(output: unknown): Behaviour;
  rejectsOnce(error: unknown): Behaviour;
  callsFake(fake: (input: { SecretId?: string }) => unknown): Behaviour;
}
interface Stub {
  reset(): void;
  resetHistory(): void;
  calls(): { args: unknown[] }[];
  onAnyCommand(): Behaviour;
  on(command: unknown): Behaviour;
}
const mocks = SERVICES.map(([client, service]) => ({
  mock: mockClient(client as never) as unknown as Stub,
  service,
}));
/** Every command succeeds; those whose answer the adapter reads get one it accepts. */
function answerEverything() {
  for (const { mock } of mocks) {
    mock.reset();
    mock.onAnyCommand().callsFake((input: { SecretId?: string }) => {
      if (input.SecretId === SUBSCRIPTION_KEY_SECRET) return { SecretString: ring };
      if (input.SecretId) return { SecretString: JSON.stringify({ password: 'p' }) };
      return {};
    });
  }
  const mock = (service: string) => mocks.find((m) => m.service === service)!.mock;
  mock('codepipeline').on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
  mock('codepipeline')
    .on(GetPipelineExecutionCommand)
    .resolves({ pipelineExecution: { status: 'Succeeded' } });
  mock('ssm')
    .on(GetParameterCommand)
    .resolves({ Parameter: { Value: 'PRIVATE KEY' } });
  mock('cloudformation')
    .on(DescribeChangeSetCommand)
    .resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
}

/** The IAM actions of the commands sent since the last reset, STS's AssumeRole included. */
function actionsSent(): string[] {
  const sent = mocks.flatMap(({ mock, service }) =>
    mock.calls().map((call) => {
      const name = (call.args[0] as object).constructor.name.replace(/Command$/, '');
      return IAM_NAME[`${service}:${name}`] ?? `${service}:${name}`;
    }),
  );
  return [...new Set([...sent, ...(assumedRoles().length > 0 ? ['sts:AssumeRole'] : [])])].sort();
}
/** What the table lists for a call: the commands' actions (not the implied ones), and the role chain. */
function actionsListed(iam: PortIam): string[] {
  const requests = [...(iam.platform ?? []), ...(iam.customer?.requests ?? [])].filter((r) => !r.implied);
  return [...new Set([...requests.map((r) => r.action), ...(iam.customer ? ['sts:AssumeRole'] : [])])].sort();
}

const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};
const stackRequest = {
  stackName: 'tinystacks-stk-1-dev',
  templateUrl:
    'https://tinystacks-templates-444455556666-eu-west-1.s3.eu-west-1.amazonaws.com/tinystacks-stk-1-dev/op-1.json',
  tags: { 'tinystacks:stack-id': 'stk_1' },
  clientRequestToken: 'op-1',
};
const message: ApprovalMessage = {
  approvalId: 'apr_1',
  stackName: 'shop',
  stageName: 'prod',
  commit: { sha: 'abc' },
  requestedBy: 'u',
  expiresAt: '2030-01-01T00:00:00Z',
  link: 'https://api.example.com/v1/approvals/apr_1?t=x',
  buttonValue: 'apr_1.x',
};
const noSuchBucket = () =>
  new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: {}, message: 'NoSuchBucket' });

const aws = '../../../src/cloud/aws';
/** The adapter module of each port of the table. */
const FILE_OF: Record<IamPort, string> = {
  workflows: 'workflows',
  bus: 'events',
  platformSecrets: 'platform-secrets',
  subscriptionKey: 'subscription-key',
  notifications: 'notifications',
  deliveryQueue: 'delivery-queue',
  accounts: 'accounts',
  stacks: 'stacks',
  templates: 'templates',
  logs: 'logs',
  secrets: 'secrets',
  keys: 'keys',
  pipelines: 'pipelines',
  images: 'images',
};
const load = async <T>(file: string, name: string) =>
  ((await import(`${aws}/${file}`)) as Record<string, unknown>)[name] as T;
type Port = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Each port's adapter, and for each method the calls that show all it sends (each scenario runs alone). */
const SCENARIOS: Record<
  IamPort,
  { adapter: () => Promise<Port>; methods: Record<string, ((p: Port) => Promise<unknown>)[]> }
> = {
  workflows: {
    adapter: () => load('workflows', 'workflows'),
    methods: {
      start: [(p) => p.start!('deployStage', 'op-1', {})],
      sendTaskSuccess: [(p) => p.sendTaskSuccess!('token', {})],
      sendTaskFailure: [(p) => p.sendTaskFailure!('token', 'Failed', 'cause')],
    },
  },
  bus: {
    adapter: () => load('events', 'bus'),
    methods: { publish: [(p) => p.publish!([{ detailType: 'Stage Status Change', detail: {} }])] },
  },
  platformSecrets: {
    adapter: () => load('platform-secrets', 'platformSecrets'),
    methods: {
      create: [(p) => p.create!('tinystacks/ci/webhooks/stk_1', 'secret')],
      get: [(p) => p.get!('tinystacks/ci/webhooks/stk_1')],
      delete: [(p) => p.delete!('tinystacks/ci/webhooks/stk_1')],
    },
  },
  subscriptionKey: {
    // The ring is read as the module loads (a cold start), and again for a key it does not know.
    adapter: async () => ({}),
    methods: {
      seal: [async () => (await load<Port>('subscription-key', 'subscriptionSecrets')).seal!('whsec', 'ad')],
      open: [
        async () =>
          (await load<Port>('subscription-key', 'subscriptionSecrets')).open!('v2.k9.a.b.c', 'ad').catch(
            () => {},
          ),
      ],
    },
  },
  notifications: {
    adapter: () => load('notifications', 'notifications'),
    methods: {
      email: [(p) => p.email!(['ops@example.com'], message)],
      slack: [(p) => p.slack!('https://hooks.slack.com/services/T/B/x', message)],
      slackUpdate: [(p) => p.slackUpdate!('https://hooks.slack.com/actions/T/1/x', 'Approved')],
      slackRefresh: [(p) => p.slackRefresh!('https://hooks.slack.com/actions/T/1/x', message)],
    },
  },
  deliveryQueue: {
    adapter: async () => ({
      enqueue: await load('delivery-queue', 'deliveryQueue').then((q) => (q as Port).enqueue!.bind(q)),
      postpone: await load('delivery-queue', 'postpone'),
    }),
    methods: {
      enqueue: [
        (p) =>
          p.enqueue!([{ tenantId: 't', subscriptionId: 's', event: {}, enqueuedAt: '2030-01-01T00:00:00Z' }]),
      ],
      postpone: [(p) => p.postpone!('receipt', 10)],
    },
  },
  accounts: {
    adapter: () => load('accounts', 'accounts'),
    methods: { verifyRole: [(p) => p.verifyRole!(target.roleArn, target.externalId)] },
  },
  stacks: {
    adapter: () => load('stacks', 'stacks'),
    methods: {
      create: [(p) => p.create!(target, stackRequest)],
      update: [(p) => p.update!(target, stackRequest)],
      delete: [(p) => p.delete!(target, stackRequest.stackName, 'op-1')],
      continueUpdateRollback: [(p) => p.continueUpdateRollback!(target, stackRequest.stackName, 'op-1')],
      describe: [(p) => p.describe!(target, stackRequest.stackName)],
      listEvents: [(p) => p.listEvents!(target, stackRequest.stackName)],
      createChangeSet: [
        (p) =>
          p.createChangeSet!(target, {
            ...stackRequest,
            changeSetName: 'cs-1',
            capabilities: ['CAPABILITY_IAM'],
            clientToken: 'op-1',
          }),
      ],
      describeChangeSet: [(p) => p.describeChangeSet!(target, stackRequest.stackName, 'cs-1')],
      executeChangeSet: [(p) => p.executeChangeSet!(target, stackRequest.stackName, 'cs-1', 'op-1')],
      deleteChangeSet: [(p) => p.deleteChangeSet!(target, stackRequest.stackName, 'cs-1')],
      getTemplate: [(p) => p.getTemplate!(target, stackRequest.stackName)],
    },
  },
  templates: {
    adapter: () => load('templates', 'templates'),
    methods: {
      put: [
        (p) => p.put!(target, { ...stackRequest, templateBody: '{}' }),
        // The account's first template: the bucket is made, then the put is tried again.
        async (p) => {
          const s3 = mocks.find((m) => m.service === 's3')!.mock;
          s3.onAnyCommand().rejectsOnce(noSuchBucket()).resolves({});
          return p.put!(target, { ...stackRequest, templateBody: '{}' });
        },
      ],
    },
  },
  logs: {
    adapter: () => load('logs', 'logs'),
    methods: { read: [(p) => p.read!(target, '/tinystacks/stk_1/dev/app', { limit: 10 })] },
  },
  secrets: {
    adapter: () => load('secrets', 'secrets'),
    methods: {
      readDatabaseSecret: [
        (p) =>
          p.readDatabaseSecret!(
            target,
            'arn:aws:secretsmanager:eu-west-1:444455556666:secret:dev/tinystacks/stk_1/postgres-AbCdEf',
          ),
      ],
    },
  },
  keys: {
    adapter: () => load('keys', 'keys'),
    methods: { readPrivateKey: [(p) => p.readPrivateKey!(target, 'key-0123')] },
  },
  pipelines: {
    adapter: () => load('pipelines', 'pipelines'),
    methods: {
      start: [(p) => p.start!(target, 'tinystacks-stk_1', { clientRequestToken: 'run-1' })],
      getExecution: [(p) => p.getExecution!(target, 'tinystacks-stk_1', 'exec-1')],
    },
  },
  images: {
    adapter: () => load('images', 'images'),
    methods: { findImage: [(p) => p.findImage!(target, REPOSITORY_URI, 'abc123')] },
  },
};

beforeEach(() => {
  answerEverything();
  sts.reset();
  freshClock();
  grantCredentials();
  jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
});
afterEach(() => jest.restoreAllMocks());

describe.each(Object.keys(PORT_IAM) as IamPort[])('%s', (port) => {
  test('every method of the table has a scenario, and only those', () => {
    // Assess
    expect(Object.keys(SCENARIOS[port].methods).sort()).toEqual(Object.keys(PORT_IAM[port]).sort());
  });

  test.each(Object.keys(PORT_IAM[port]))('%s: the commands sent are the actions listed', async (method) => {
    // Prepare
    const iam = (PORT_IAM[port] as Record<string, (...args: unknown[]) => PortIam>)[method]!;
    const sent = new Set<string>();

    // Act
    for (const scenario of SCENARIOS[port].methods[method]!) {
      beforeScenario();
      const adapter = await SCENARIOS[port].adapter();
      await scenario(adapter);
      for (const action of actionsSent()) sent.add(action);
    }

    // Assess
    const listed = actionsListed(iam(...argumentsOf(port, method)));
    expect([...sent].sort()).toEqual(listed);
  });
});

function beforeScenario() {
  for (const { mock } of mocks) mock.resetHistory();
  sts.resetHistory();
  freshClock();
}

/** The table's entry is a function of the call's arguments; any arguments of the right shape give its actions. */
function argumentsOf(port: IamPort, method: string): unknown[] {
  if (port === 'stacks' || port === 'templates' || port === 'logs' || port === 'keys' || port === 'pipelines')
    return [target, { ...stackRequest, templateBody: '{}' }];
  if (port === 'secrets') return [target, 'arn:aws:secretsmanager:eu-west-1:444455556666:secret:x'];
  if (port === 'accounts') return [target.roleArn, target.externalId];
  if (port === 'images') return [target, REPOSITORY_URI, 'abc123'];
  void method;
  return ['x'];
}

test('customer calls go through the platform principal into the customer’s role, with the external id', async () => {
  // Act
  await (
    await SCENARIOS.stacks.adapter()
  ).describe!(target, stackRequest.stackName);

  // Assess
  expect(assumedRoles().map(({ RoleArn, ExternalId }) => ({ RoleArn, ExternalId }))).toEqual([
    { RoleArn: PLATFORM_PRINCIPAL_ARN, ExternalId: undefined },
    { RoleArn: target.roleArn, ExternalId: target.externalId },
  ]);
});

test('every AWS adapter that reaches AWS is in the table, or says where its calls are proved', () => {
  // Prepare: the modules that make clients or assume roles, whose calls are recorded some other way
  const elsewhere: Record<string, string> = {
    dynamodb: 'recorded at the DynamoDB client (src/local/iam-recorder.ts)',
    'dashboard-assets':
      'the dashboard custom resource, run at deploy only (test/unit/aws/dashboard-assets.test.ts)',
    'assume-role': 'the role chain of every customer call (PortIam.customer)',
    'role-provider': 'the role chain of every customer call (PortIam.customer)',
  };
  const folder = new URL(`${aws}/`, import.meta.url);

  // Act
  const reaching = readdirSync(folder)
    .filter((file) =>
      /from '(@aws-sdk\/client-[\w-]+|\.\/role-provider)'/.test(readFileSync(new URL(file, folder), 'utf8')),
    )
    .map((file) => file.replace(/\.ts$/, ''))
    .filter((module) => !(module in elsewhere));

  // Assess
  expect(reaching.sort()).toEqual(Object.values(FILE_OF).sort());
});
