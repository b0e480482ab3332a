import { onOperationEnded } from './follow-ups';
import type { Permission } from '../deploy/permissions';
import type { EventUnit } from '../deploy/units';
import type { WorkflowName } from '../domain/workflows';
import { errorFields, log } from '../log';
import { onExecutionEnded, onPipelineExecutionEnded } from './backstops';
import { onPipelineStateChange, onStackStatusChange } from './waits';
import { fanOut, onDeliveryBatch } from './webhooks';
import type { EventPattern, PatternValue } from './pattern';

/** What a pattern may name that differs between AWS and the embedded runtime: the state machines' ARNs. */
export interface PatternNames {
  stateMachine(workflow: WorkflowName): PatternValue;
  /** Every state machine of the service: a prefix of their ARNs. */
  anyStateMachine: PatternValue;
}

/**
 * Where a consumer's events come from: a rule on the platform's bus (status events, and what
 * customers' accounts forward), a rule on the account's default bus (Step Functions' own events), or
 * an SQS queue.
 */
export type ConsumerSource =
  | { bus: 'platform' | 'default'; pattern: (names: PatternNames) => EventPattern }
  | { queue: string; batchSize: number };

export interface Consumer<U extends EventUnit = EventUnit, E = never, D = never> {
  unit: U;
  source: ConsumerSource;
  permissions: Permission[];
  handle(event: E, deps: D): Promise<unknown>;
}

function consumer<U extends EventUnit, E, D>(declared: Consumer<U, E, D>) {
  return declared;
}

/** Step Functions' own event when an execution ends other than by succeeding, for these state machines. */
const executionEndedAbnormally = (stateMachineArns: PatternValue[]): EventPattern => ({
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: stateMachineArns },
});

/**
 * The event consumers: one place for each one's pattern (which makes both the EventBridge rule on
 * AWS and the embedded runtime's subscription on its bus), its unit and its permissions.
 */
export const consumers = {
  /** CloudFormation's status changes, forwarded from customers' accounts: they resume stack waits. */
  stackStatusChanged: consumer({
    unit: 'events',
    source: {
      bus: 'platform',
      pattern: () => ({
        source: ['aws.cloudformation'],
        'detail-type': ['CloudFormation Stack Status Change'],
      }),
    },
    permissions: ['stackWaits:update', 'workflows:resume'],
    handle: onStackStatusChange,
  }),
  /** CodePipeline's state changes, forwarded from customers' accounts: they resume runs waiting on a build. */
  pipelineStateChanged: consumer({
    unit: 'events',
    source: {
      bus: 'platform',
      pattern: () => ({
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        detail: { pipeline: [{ prefix: 'tinystacks-stk_' }] },
      }),
    },
    permissions: ['table:read', 'table:update', 'workflows:resume'],
    handle: onPipelineStateChange,
  }),
  /** Starts what was asked for with a stage (its database, its bastion) once an operation on it ends. */
  operationEnded: consumer({
    unit: 'events',
    source: {
      bus: 'platform',
      pattern: () => ({
        source: ['tinystacks'],
        'detail-type': ['Operation Status Change'],
        detail: { status: ['SUCCEEDED', 'FAILED'] },
      }),
    },
    permissions: ['table:read', 'table:put', 'table:update', 'table:delete', 'workflows:start'],
    handle: onOperationEnded,
  }),
  /**
   * The backstop for executions that end without reaching their own failure path; a database
   * workflow's failure recording asks CloudFormation whether its stack is still there.
   */
  executionEnded: consumer({
    unit: 'backstops',
    source: {
      bus: 'default',
      pattern: (names) => executionEndedAbnormally([names.anyStateMachine]),
    },
    permissions: ['table:read', 'table:update', 'table:delete', 'events:publish', 'customerAccounts:use'],
    handle: onExecutionEnded,
  }),
  /** The backstop of the pipeline-run and create-pipeline executions. */
  pipelineExecutionEnded: consumer({
    unit: 'backstops',
    source: {
      bus: 'default',
      pattern: (names) =>
        executionEndedAbnormally([names.stateMachine('pipelineRun'), names.stateMachine('createPipeline')]),
    },
    permissions: ['table:read', 'table:update', 'events:publish'],
    handle: onPipelineExecutionEnded,
  }),
  /** Every platform event → one queued delivery per subscription of the event's tenant that wants it. */
  deliverEvents: consumer({
    unit: 'webhookFanOut',
    source: { bus: 'platform', pattern: () => ({ source: ['tinystacks'] }) },
    permissions: ['table:query', 'deliveries:send'],
    handle: fanOut,
  }),
  /** Signs and POSTs each delivery; a failure moves the message's visibility to the next backoff wait. */
  sendWebhook: consumer({
    unit: 'webhookSender',
    source: { queue: 'WebhookDeliveryQueue', batchSize: 10 },
    permissions: ['table:read', 'table:put', 'deliveries:consume', 'subscriptionKey:use'],
    handle: onDeliveryBatch,
  }),
};

export type ConsumerName = keyof typeof consumers;
type Declared = (typeof consumers)[ConsumerName];
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** What a unit's consumers need, together: its entry point (functions/) gives exactly this. */
export type ConsumerUnitDeps<U extends EventUnit> = Intersection<
  Declared extends infer C
    ? C extends { unit: U; handle(e: never, d: infer D): unknown }
      ? D
      : never
    : never
>;

/**
 * What a rule on AWS hands an events unit: the consumer it is for (the rule's input transformer
 * writes it, src/generate/serverless.ts) and the event as EventBridge delivered it.
 */
export interface ConsumerInput {
  consumer: string;
  event: unknown;
}

type Handle = (event: unknown, deps: unknown) => Promise<unknown>;

/**
 * An event unit's handler: it runs the consumer the rule named. A queue's unit has one consumer,
 * and the queue's batch is its input.
 */
export function eventUnit<U extends EventUnit>(unit: U, deps: ConsumerUnitDeps<U>) {
  const mine = new Map(Object.entries(consumers).filter(([, consumer]) => consumer.unit === unit));
  const [queue] = [...mine].filter(([, consumer]) => 'queue' in consumer.source);
  return async (input: unknown): Promise<unknown> => {
    const [name, event] = queue
      ? [queue[0], input]
      : [(input as ConsumerInput).consumer, (input as ConsumerInput).event];
    const consumer = mine.get(name);
    if (!consumer) throw new Error(`the ${unit} function has no consumer ${name}`);
    try {
      return await (consumer.handle as Handle)(event, deps);
    } catch (error) {
      log.error('event consumer failed', { consumer: name, ...errorFields(error) });
      throw error;
    }
  };
}
