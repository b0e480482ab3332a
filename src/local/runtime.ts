import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { routes } from '../api/routes';
import type { ApiDeps } from '../app/deps';
import type { Resolver } from '../domain/webhook-guard';
import { unitsOf, type EventUnit, type HttpUnit, type TaskUnit } from '../deploy/units';
import { consumers, eventUnit, type ConsumerUnitDeps } from '../events/consumers';
import { TENANT_CLAIM } from '../domain/caller';
import { httpRouter } from '../http/handler';
import { errorFields, log } from '../log';
import { DatabaseStore } from '../store/databases';
import { IdempotencyStore } from '../store/idempotency';
import { StackWaitStore } from '../store/stack-waits';
import { Store } from '../store/store';
import { SubscriptionStore } from '../store/subscriptions';
import type { TaskDeps } from '../tasks/deps';
import { taskUnit, type TaskPayload } from '../tasks/unit';
import { LocalEventBus, type BusEvent, type PutEventsEntry } from './bus';
import { LocalCloudFormation } from './cloudformation';
import { SimulatedServices } from './cloudformation/effects';
import { startDynamo, type LocalDynamo } from './dynamo';
import { localEndpoints } from './endpoints';
import { signToken } from './jwt';
import { LocalLogs } from './logs';
import { createApiServer } from './server';
import { LocalKeysPort, LocalSecretsPort } from './secrets';
import { addConsumerRules } from './rules';
import { LocalS3 } from './s3';
import { LocalStackPort } from './stacks';
import { startLocalWebhooks, type LocalWebhookQueue } from './webhooks';
import { startLocalPipelines } from './pipelines-runtime';
import { simulatedStateOf } from './state-files';
import type { OutboxMessage } from './outbox';
import { LocalWorkflows } from './workflows';
import { webEndpoints, type WebBuild } from './web';

export interface RuntimeOptions {
  port?: number;
  /** Where dynalite keeps the table and the runtime its keys; omitted = in memory only. */
  dataDir?: string;
  /** Time the simulated CloudFormation spends on each status step. */
  stackDelayMs?: number;
  tableName?: string;
  /** Overrides the TimeoutSeconds of every task-token wait (tests of the timeout fallbacks). */
  tokenTimeoutSeconds?: number;
  /** The time deploy windows are checked at (tests and the bench start it just before one opens). */
  clock?: () => Date;
  /** Stops forwarding CloudFormation's status events, as if the customer's forwarding rule were missing. */
  dropStackEvents?: boolean;
  /** How long a simulated pipeline build takes (default 1 s). */
  buildDelayMs?: number;
  /** When an approval expires (default 7 days, as CodePipeline's). */
  approvalTimeoutSeconds?: number;
  /** Each email or Slack message put in the outbox (main.ts prints them with their links). */
  onOutbox?: (message: OutboxMessage) => void;
  /** Webhook URLs may be http:// and reach private, loopback and link-local addresses (local receivers). */
  allowPrivateWebhooks?: boolean;
  /** Multiplies the webhook retry delays (10 s … 30 min); 0.01 makes a dead letter take seconds. */
  webhookRetryScale?: number;
  /** Resolves webhook hosts instead of the system's DNS (tests of the address checks). */
  webhookResolver?: Resolver;
  /** The dashboard to serve at / (src/local/web.ts), and the user its page is signed in as. */
  web?: { build: Promise<WebBuild>; tenantId: string; userId: string };
}

export interface Runtime {
  url: string;
  dataDir?: string;
  store: Store;
  bus: LocalEventBus;
  cloudFormation: LocalCloudFormation;
  workflows: LocalWorkflows;
  logs: LocalLogs;
  dynamo: LocalDynamo;
  /** Pipelines, runs, approvals: the simulated CodePipeline, the outbox, the secrets file. */
  pipelines: ReturnType<typeof startLocalPipelines>;
  /** Databases, bastions, follow-ups, audit records. */
  databases: DatabaseStore;
  /** What the simulated resources hold: generated secrets, key pairs' private keys, database passwords. */
  services: SimulatedServices;
  subscriptions: SubscriptionStore;
  /** Webhook deliveries pending or being retried; `idle()` waits for them. */
  webhooks: LocalWebhookQueue;
  tokenFor(tenantId: string, userId?: string, email?: string): string;
  close(): Promise<void>;
}

const TABLE = 'tinystacks-local';
export const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/tinystacks-local-simulated';
const DEFAULT_IMAGE = 'public.ecr.aws/nginx/nginx:stable-alpine';

function jwtSecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * The whole backend on one machine: dynalite for DynamoDB, the ASL files on aws-local-stepfunctions,
 * the simulated CloudFormation, an in-process event bus, and an HTTP server standing in for API
 * Gateway. The handlers, task functions and store are the ones deployed to AWS.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const tableName = options.tableName ?? TABLE;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = await startDynamo(
    tableName,
    options.dataDir ? join(options.dataDir, 'dynamodb') : undefined,
  );
  const store = new Store(dynamo.documentClient, tableName);
  const idempotency = new IdempotencyStore(dynamo.documentClient, tableName);
  const waits = new StackWaitStore(dynamo.documentClient, tableName);
  const databases = new DatabaseStore(dynamo.documentClient, tableName);
  const simulated = simulatedStateOf(options.dataDir);
  const services = new SimulatedServices(simulated.customerAccount);

  const bus = new LocalEventBus('local', '000000000000', (error, event) =>
    log.error('event rule target failed', { detailType: event['detail-type'], ...errorFields(error) }),
  );
  // The customer's template buckets: the stack port puts templates there, CloudFormation reads them.
  const s3 = new LocalS3();
  const cloudFormation = new LocalCloudFormation({
    delayMs: options.stackDelayMs ?? 500,
    accountId: '000000000000',
    effects: services,
    stateDir: simulated.cloudFormation,
    templateSource: (url) => s3.readUrl(url),
    onStatusChange: (event) => {
      if (!options.dropStackEvents) bus.forward(event as unknown as BusEvent);
    },
  });
  const stacks = new LocalStackPort(cloudFormation);
  const logs = new LocalLogs(simulated.logs);

  // eslint-disable-next-line prefer-const -- the workflows and their task bindings refer to each other
  let taskDeps: TaskDeps;
  const bindTask = async (resource: string, parameters: Record<string, unknown>): Promise<unknown> => {
    const [, service, action] = /^arn:aws:states:::([\w-]+):(\w+)$/.exec(resource) ?? [];
    switch (service) {
      case 'lambda': {
        const unit = taskUnits.get(String(parameters.FunctionName).replace(/^local:/, ''));
        if (!unit) throw new Error(`no local function ${String(parameters.FunctionName)}`);
        // A Lambda payload crosses a JSON boundary both ways.
        const result = await unit(JSON.parse(JSON.stringify(parameters.Payload ?? {})) as TaskPayload);
        return { StatusCode: 200, Payload: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
      }
      case 'dynamodb':
        // Step Functions names service errors after their service: DynamoDB.ConditionalCheckFailedException.
        return dynamoTask(dynamo, action!, parameters).catch((error: unknown) => {
          if (error instanceof Error) error.name = `DynamoDB.${error.name}`;
          throw error;
        });
      case 'events':
        return bus.putEntries(parameters.Entries as PutEventsEntry[]);
      default:
        throw new Error(`the embedded runtime has no binding for ${resource}`);
    }
  };
  // The task units (src/deploy/units.ts), called as the state machines call them on AWS.
  const taskUnits = new Map<string, (payload: TaskPayload) => Promise<unknown>>(
    // taskDeps is complete by the time a workflow runs a task.
    unitsOf('tasks').map((unit: TaskUnit) => [unit, (payload) => taskUnit(unit, taskDeps)(payload)]),
  );
  const substitutions: Record<string, string> = { TableName: tableName, EventBusName: 'tinystacks-local' };
  for (const unit of taskUnits.keys())
    substitutions[`${unit[0]!.toUpperCase()}${unit.slice(1)}FunctionArn`] = `local:${unit}`;
  const workflows = new LocalWorkflows(bindTask, substitutions, {
    tokenTimeoutSeconds: options.tokenTimeoutSeconds,
    onExecutionFailed: (detail) =>
      bus.forward({
        version: '0',
        id: randomBytes(16).toString('hex'),
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [detail.executionArn],
        detail,
      }),
  });
  const pipelines = startLocalPipelines(
    {
      dataDir: options.dataDir,
      buildDelayMs: options.buildDelayMs,
      approvalTimeoutSeconds: options.approvalTimeoutSeconds,
      jwtSecret: () => secret,
      onOutbox: options.onOutbox,
    },
    { db: dynamo.documentClient, tableName, cfn: cloudFormation, bus, store, services },
  );
  taskDeps = { store, stacks, templates: s3, waits, workflows, databases, ...pipelines.deps };
  if (options.clock) taskDeps.clock = options.clock;

  // Status subscriptions: tinystacks events fanned out to webhooks (on AWS: deliverEvents → SQS → sendWebhook).
  const subscriptions = new SubscriptionStore(dynamo.documentClient, tableName);
  const webhooks = startLocalWebhooks(
    {
      dataDir: options.dataDir,
      allowPrivate: options.allowPrivateWebhooks ?? false,
      retryScale: options.webhookRetryScale ?? 1,
      resolve: options.webhookResolver,
    },
    { subscriptions },
  );

  // The EventBridge rules (src/events/consumers.ts), each with its own pattern, call the same units as on
  // AWS; the webhook fan-out reads a tenant's subscriptions once per putEvents (src/local/webhooks.ts),
  // and the queue behind it is the local one.
  const consumerDeps = {
    ...taskDeps,
    bus,
    subscriptions,
    queue: webhooks.queue,
  } satisfies ConsumerUnitDeps<'events'> & ConsumerUnitDeps<'backstops'> & ConsumerUnitDeps<'webhookFanOut'>;
  const eventUnits = new Map(
    unitsOf('events').map((unit: EventUnit) => [unit, eventUnit(unit, consumerDeps as never)]),
  );
  addConsumerRules(bus, (consumer, event) =>
    consumer === 'deliverEvents'
      ? webhooks.fanOut(event)
      : eventUnits.get(consumers[consumer].unit)?.({ consumer, event }),
  );
  // CloudWatch Logs, simulated: a stage's app log records its deployments.
  bus.addRule({ source: ['aws.cloudformation'] }, (event) => logs.recordDeployment(event, cloudFormation));
  // Builds under way when the process stopped end now that the rules listen.
  pipelines.builds.resume();

  const settings: ApiDeps['settings'] = {
    requireRoleArn: false,
    simulatedRoleArn: LOCAL_ROLE_ARN,
    platformPrincipalArn: 'arn:aws:iam::000000000000:role/tinystacks-local-workflows',
    verifierPrincipalArn: 'arn:aws:iam::000000000000:role/tinystacks-local-api',
    eventBusArn: 'arn:aws:events:local:000000000000:event-bus/tinystacks-local',
    defaultImageUri: DEFAULT_IMAGE,
  };
  const apiDeps: ApiDeps = {
    store,
    idempotency,
    workflows,
    stacks,
    logs,
    // The role is simulated: any well-formed ARN is accepted.
    accounts: { verifyRole: async () => {} },
    settings,
    subscriptions,
    webhooks: webhooks.settings,
    databases,
    secrets: new LocalSecretsPort(services),
    keys: new LocalKeysPort(services),
    bus,
    ...pipelines.deps,
  };

  const secret = jwtSecret(options.dataDir);
  // Each route is served by its unit's handler, which finds it by routeKey, as on AWS.
  const httpUnits = new Map(
    unitsOf('http').map((unit: HttpUnit) => [
      unit,
      httpRouter(
        routes.filter((route) => route.unit === unit),
        apiDeps,
      ),
    ]),
  );
  const localSession = ({ tenantId, userId }: { tenantId: string; userId: string }) => ({
    tenantId,
    userId,
    token: signToken(secret, { sub: userId, tenantClaim: TENANT_CLAIM, tenantId }),
  });
  const server: Server = createApiServer({
    routes: routes.map((route) => ({ route, handler: httpUnits.get(route.unit)! })),
    jwtSecret: secret,
    extra: [
      ...localEndpoints({ bus, cloudFormation, workflows }),
      ...pipelines.endpoints,
      ...(options.web
        ? webEndpoints({ build: options.web.build, session: () => localSession(options.web!) })
        : []),
    ],
    onRequest: (method, path, status, ms) => {
      logs.recordRequest(method, path, status);
      log.debug('request', { method, path, status, ms: Math.round(ms) });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  pipelines.setPublicUrl(`http://127.0.0.1:${port}`);
  // What the simulated CloudFormation was doing when the process stopped, it finishes now.
  cloudFormation.resume();

  return {
    url: `http://127.0.0.1:${port}`,
    dataDir: options.dataDir,
    store,
    bus,
    cloudFormation,
    workflows,
    logs,
    dynamo,
    pipelines,
    databases,
    services,
    subscriptions,
    webhooks: webhooks.queue,
    tokenFor: (tenantId, userId = `${tenantId}-user`, email) =>
      signToken(secret, { sub: userId, tenantClaim: TENANT_CLAIM, tenantId, ...(email ? { email } : {}) }),
    close: async () => {
      bus.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cloudFormation.dispose();
      await cloudFormation.whenIdle(); // its last writes
      pipelines.dispose();
      await webhooks.queue.dispose();
      await dynamo.close();
    },
  };
}

/** Step Functions' DynamoDB integrations take the low-level request shape; so does the client. */
async function dynamoTask(dynamo: LocalDynamo, action: string, parameters: Record<string, unknown>) {
  const input = parameters as never;
  switch (action) {
    case 'putItem':
      return dynamo.client.send(new PutItemCommand(input));
    case 'updateItem':
      return dynamo.client.send(new UpdateItemCommand(input));
    case 'getItem':
      return dynamo.client.send(new GetItemCommand(input));
    case 'deleteItem':
      return dynamo.client.send(new DeleteItemCommand(input));
    default:
      throw new Error(`the embedded runtime has no binding for dynamodb:${action}`);
  }
}
