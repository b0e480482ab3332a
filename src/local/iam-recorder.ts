import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretCache } from '../cloud/secret-cache';
import { LAMBDA_IAM, PORT_IAM, type IamPort, type IamRequest, type PortIam } from '../cloud/aws/iam-actions';
import type { UnitName } from '../deploy/units';
import { eventForwardingRule } from '../domain/customer-role';
import { accountOfArn } from '../domain/regions';
import { matches } from '../events/pattern';
import type { WorkflowName } from '../domain/workflows';

/**
 * Which AWS calls each deployed function and state machine makes, recorded while the embedded
 * runtime runs (the integration and end-to-end suites set TINYSTACKS_IAM_RECORD to a folder; each
 * process writes one JSONL file there). The package check then proves every call against the
 * caller's role in the packaged template (test/package/iam-proof.ts). Off unless asked: then every
 * hook below is a plain call.
 *
 * The caller is known from where the runtime enters a unit (an HTTP route, a task, a consumer, a
 * queue delivery) or a state machine: an AsyncLocalStorage carries it through everything the call
 * starts. What a port call costs in IAM is the AWS adapter's own declaration (src/cloud/aws/iam-actions.ts);
 * DynamoDB is recorded at its SDK client, whose commands are the real ones.
 */
export const IAM_RECORD_ENV = 'TINYSTACKS_IAM_RECORD';
/** Names the test that started this process (e2e servers), for records made outside jest. */
export const IAM_TEST_ENV = 'TINYSTACKS_IAM_TEST';

/** One line of a record file. `n` calls like this one were made since the previous line for it. */
export interface IamRecord {
  /** `unit:<unit>`, `stateMachine:<workflow>`, `platformPrincipal`, `customerRole` or `forwardingRole`. */
  principal: string;
  /** The unit whose work it is, for the platform principal and the customer's role. */
  via?: string;
  /** The customer's account, for the customer's roles. */
  account?: string;
  action?: string;
  resource?: string;
  context?: Record<string, string | string[]>;
  /** A state machine's Task: its action and resource are read from the deployed definition. */
  state?: string;
  /** What only the run knows of a Task: its partition keys, the child execution's name. */
  leadingKeys?: string[];
  executionName?: string;
  test: string;
  n: number;
}

type Caller = { unit: UnitName } | { stateMachine: WorkflowName };

const callers = new AsyncLocalStorage<Caller>();

/**
 * The deps fields the recorder wraps: the port each may hold, told apart by a method only that
 * port has (`secrets` is the customer's Secrets Manager for the API, the key ring's box for the
 * webhook sender).
 */
const PORT_FIELDS: Record<string, [IamPort, string][]> = {
  workflows: [['workflows', 'sendTaskSuccess']],
  bus: [['bus', 'publish']],
  notifications: [['notifications', 'email']],
  queue: [['deliveryQueue', 'enqueue']],
  accounts: [['accounts', 'verifyRole']],
  stacks: [['stacks', 'continueUpdateRollback']],
  templates: [['templates', 'put']],
  logs: [['logs', 'read']],
  secrets: [
    ['secrets', 'readDatabaseSecret'],
    ['subscriptionKey', 'seal'],
  ],
  keys: [['keys', 'readPrivateKey']],
  builds: [['pipelines', 'getExecution']],
  images: [['images', 'findImage']],
};

export class IamRecorder {
  private file?: string;
  private readonly pending = new Map<string, IamRecord>();
  private readonly wrapped = new WeakMap<object, object>();
  /** Local names and what they are on AWS: the embedded runtime's table, its secrets' prefix. */
  private readonly tables = new Set<string>();
  private readonly prefixes: [string, string][] = [];
  private timer?: NodeJS.Timeout;
  /** Which test is running; the jest setup (test/support/iam-recording.ts) points it at jest's state. */
  testName: () => string | undefined = () => undefined;

  constructor(readonly folder: string | undefined) {}

  get enabled(): boolean {
    return this.folder !== undefined;
  }

  /** This process's record file, once it has written one. */
  get recordFile(): string | undefined {
    return this.file;
  }

  /** Runs a unit's invocation as that unit (and records what Lambda does for every invocation). */
  unit<T>(unit: UnitName, invoke: () => T): T {
    if (!this.enabled) return invoke();
    return callers.run({ unit }, () => {
      this.requests({ unit }, LAMBDA_IAM.invocation());
      return invoke();
    });
  }

  /** A unit's handler that runs each invocation as that unit. */
  handler<A extends unknown[], R>(unit: UnitName, handle: (...args: A) => R): (...args: A) => R {
    return this.enabled ? (...args) => this.unit(unit, () => handle(...args)) : handle;
  }

  /** An execution of a state machine: what it starts runs as the state machine until a unit takes over. */
  stateMachine<T>(workflow: WorkflowName, run: () => T): T {
    return this.enabled ? callers.run({ stateMachine: workflow }, run) : run();
  }

  /** A Task state entered: the deployed definition says what it calls, the run what it called it with. */
  task<T>(workflow: WorkflowName, state: string, parameters: Record<string, unknown>, run: () => T): T {
    if (!this.enabled) return run();
    const key = (parameters.Key ?? parameters.Item) as Record<string, { S?: string }> | undefined;
    const leadingKey = key?.pk?.S;
    this.add({
      principal: `stateMachine:${workflow}`,
      state,
      ...(leadingKey ? { leadingKeys: [leadingKey] } : {}),
      ...(typeof parameters.Name === 'string' ? { executionName: parameters.Name } : {}),
    });
    return callers.run({ stateMachine: workflow }, run);
  }

  /**
   * The webhook queue's consumer: Lambda's SQS event source receives each delivery with the
   * unit's role and deletes it unless the function asked for a retry, which it postpones
   * (ChangeMessageVisibility) for the backoff.
   */
  queueConsumer<A extends unknown[], R extends { kind: string }>(
    unit: UnitName,
    queueUrlVariable: string,
    consume: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R> {
    if (!this.enabled) return consume;
    return (...args) =>
      this.unit(unit, async () => {
        const outcome = await consume(...args);
        const retry = outcome.kind === 'retry';
        this.requests({ unit }, [
          ...LAMBDA_IAM.sqsBatch(queueUrlVariable, !retry),
          ...(retry ? (PORT_IAM.deliveryQueue.postpone().platform ?? []) : []),
        ]);
        return outcome;
      });
  }

  /**
   * A status event in the customer's account (CloudFormation's, CodePipeline's): their forwarding
   * rule puts those it matches on the platform bus with its own role (src/domain/customer-role.ts).
   */
  forwarded(event: { source: string; 'detail-type': string; account: string }): void {
    if (!this.enabled) return;
    const { source, 'detail-type': detailType } = eventForwardingRule('').EventPattern;
    if (!matches({ source, 'detail-type': detailType }, event)) return;
    this.add({
      principal: 'forwardingRole',
      account: event.account,
      action: 'events:PutEvents',
      resource: '${EVENT_BUS_ARN}',
      // Multivalued keys: one value per entry of the PutEvents batch EventBridge sends for the rule.
      context: { 'events:source': [event.source], 'events:detail-type': [event['detail-type']] },
    });
  }

  /** Records the DynamoDB commands sent while a unit runs (state machines' are their Tasks). */
  recordDynamo(client: DynamoDBClient, tableName: string): void {
    if (!this.enabled) return;
    this.tables.add(tableName);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const caller = callers.getStore();
        const command = (context as { commandName?: string }).commandName;
        if (caller && 'unit' in caller && command)
          this.requests(caller, [this.dynamoRequest(command.replace(/Command$/, ''), args.input)]);
        return next(args);
      },
      { step: 'initialize', name: 'tinystacksIamRecorder' },
    );
  }

  /** A local name that stands for a variable of the deployed functions (the secrets' prefix). */
  localName(local: string, variable: string): void {
    if (this.enabled) this.prefixes.push([local, `\${${variable}}`]);
  }

  /** The deps a unit is given, with each port that calls AWS recording what it asks of IAM. */
  deps<D extends object>(deps: D): D {
    if (!this.enabled) return deps;
    const out = { ...deps } as Record<string, unknown>;
    for (const [field, ports] of Object.entries(PORT_FIELDS)) {
      const value = out[field];
      if (!value || typeof value !== 'object') continue;
      const port = ports.find(([, method]) => method in value)?.[0];
      if (port) out[field] = this.port(port, value);
    }
    // The API's webhook settings carry the key ring's box.
    const webhooks = out.webhooks as { secrets?: object } | undefined;
    if (webhooks?.secrets)
      out.webhooks = { ...webhooks, secrets: this.port('subscriptionKey', webhooks.secrets) };
    // The platform's secrets are read through a cache; the port under it is what calls AWS.
    if (out.platformSecrets instanceof SecretCache)
      out.platformSecrets = this.wrapOnce(out.platformSecrets, (cache: SecretCache) => {
        return new SecretCache(this.port('platformSecrets', cache.secrets));
      });
    return out as D;
  }

  /** A port whose methods record their PORT_IAM entry, for the caller, before they run. */
  port<T extends object>(name: IamPort, port: T): T {
    if (!this.enabled) return port;
    const table = PORT_IAM[name] as Record<string, (...args: unknown[]) => PortIam>;
    return this.wrapOnce(port, (target: T) => {
      return new Proxy(target, {
        get: (object, property, receiver) => {
          const value = Reflect.get(object, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          const iam = typeof property === 'string' ? table[property] : undefined;
          return (...args: unknown[]) => {
            if (iam) this.recordPortCall(iam(...args.map((arg) => this.deployed(arg))));
            return (value as (...a: unknown[]) => unknown).apply(object, args);
          };
        },
      });
    });
  }

  private recordPortCall(iam: PortIam): void {
    const caller = callers.getStore();
    if (!caller || !('unit' in caller)) return;
    if (iam.platform) this.requests(caller, iam.platform);
    if (!iam.customer) return;
    const { target, requests } = iam.customer;
    const via = caller.unit;
    this.requests(caller, [{ action: 'sts:AssumeRole', resource: '${PLATFORM_PRINCIPAL_ARN}' }]);
    this.add({
      principal: 'platformPrincipal',
      via,
      action: 'sts:AssumeRole',
      resource: target.roleArn,
      context: { 'sts:ExternalId': target.externalId },
    });
    const account = accountOfArn(target.roleArn);
    for (const request of requests) this.add({ principal: 'customerRole', via, account, ...strip(request) });
  }

  private requests(caller: { unit: UnitName }, requests: IamRequest[]): void {
    for (const request of requests) this.add({ principal: `unit:${caller.unit}`, ...strip(request) });
  }

  private dynamoRequest(operation: string, input: unknown): IamRequest {
    const request = input as DynamoInput & { TableName?: string };
    const table = this.tables.has(request.TableName ?? '') ? '${TABLE_NAME}' : request.TableName;
    const index = request.IndexName ? `/index/${request.IndexName}` : '';
    const leadingKey = partitionKeyOf(request);
    return {
      action: `dynamodb:${operation}`,
      resource: `arn:aws:dynamodb:\${AWS_REGION}:\${AWS_ACCOUNT_ID}:table/${table}${index}`,
      ...(leadingKey !== undefined ? { context: { 'dynamodb:LeadingKeys': [leadingKey] } } : {}),
    };
  }

  /** A local value as the deployed functions have it (`tinystacks/local/…` → `${SECRET_PREFIX}/…`). */
  private deployed(arg: unknown): unknown {
    if (typeof arg !== 'string') return arg;
    const prefix = this.prefixes.find(([local]) => arg.startsWith(`${local}/`));
    return prefix ? `${prefix[1]}${arg.slice(prefix[0].length)}` : arg;
  }

  private wrapOnce<T extends object>(value: T, wrap: (value: T) => T): T {
    let wrapped = this.wrapped.get(value) as T | undefined;
    if (!wrapped) {
      wrapped = wrap(value);
      this.wrapped.set(value, wrapped);
      this.wrapped.set(wrapped, wrapped);
    }
    return wrapped;
  }

  private add(record: Omit<IamRecord, 'test' | 'n'>): void {
    const test = this.testName() ?? process.env[IAM_TEST_ENV] ?? 'npm start';
    const key = JSON.stringify([record, test]);
    const pending = this.pending.get(key);
    if (pending) {
      pending.n += 1;
      return;
    }
    // A call not seen before is written at once (a `kill -9` loses no kind of call); repeats are counted.
    this.pending.set(key, { ...record, test, n: 0 });
    this.write([{ ...record, test, n: 1 }]);
    this.timer ??= setInterval(() => this.flush(), 1000).unref();
  }

  /** Writes the repeats counted since the last flush. */
  flush(): void {
    const lines = [...this.pending.values()].filter((r) => r.n > 0);
    this.write(lines.map((r) => ({ ...r })));
    for (const r of lines) r.n = 0;
  }

  private write(records: IamRecord[]): void {
    if (records.length === 0 || !this.folder) return;
    if (!this.file) {
      mkdirSync(this.folder, { recursive: true });
      this.file = join(this.folder, `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
      process.once('exit', () => this.flush());
    }
    appendFileSync(this.file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}

const strip = ({ action, resource, context }: IamRequest) => ({
  action,
  resource,
  ...(context ? { context } : {}),
});

/** What a DynamoDB command's input says of the items it touches. */
interface DynamoInput {
  IndexName?: string;
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The partition key a single-item call or a Query names: the value `dynamodb:LeadingKeys` holds. */
function partitionKeyOf(request: DynamoInput): string | undefined {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : (value as { S?: string } | undefined)?.S;
  const item = request.Key ?? request.Item;
  if (item) return text(item.pk);
  const keyName = request.IndexName ? 'gsi1pk' : 'pk';
  for (const [, name, placeholder] of (request.KeyConditionExpression ?? '').matchAll(
    /([#\w]+)\s*=\s*(:\w+)/g,
  )) {
    const attribute = name!.startsWith('#') ? request.ExpressionAttributeNames?.[name!] : name;
    if (attribute === keyName) return text(request.ExpressionAttributeValues?.[placeholder!]);
  }
  return undefined;
}

/** The process's recorder: on when TINYSTACKS_IAM_RECORD names a folder. */
export const iam = new IamRecorder(process.env[IAM_RECORD_ENV] || undefined);
