import type { Permission } from './permissions';

/**
 * The deployment units: the Lambda functions of the platform, grouped by privilege and purpose
 * rather than one per route. Each route (src/api), workflow task (src/tasks/registry.ts) and event
 * consumer (src/events/consumers.ts) names its unit; a unit's role holds exactly the permissions its
 * members declare (src/deploy/permissions.ts). Kept apart: what works in customers' accounts, what
 * reads secrets and private keys, what answers without a JWT, and what consumes events.
 * `functions/<unit>.ts` is each unit's entry point (src/generate/serverless.ts writes serverless.yml's
 * functions from this table).
 */
export interface UnitSpec {
  /** `custom`: a CloudFormation custom resource's handler, which has no routes, tasks or consumers. */
  kind: 'http' | 'tasks' | 'events' | 'queue' | 'custom';
  /** Why these members share a function, and what sets them apart from the others. */
  why: string;
  /** Seconds; serverless.yml's default (15) otherwise. */
  timeout?: number;
  /** Asynchronous invocations that fail (the function threw) are retried this often, then dropped or sent to `deadLetters`. */
  maximumRetryAttempts?: number;
  /** Logical id of the SQS queue a failed asynchronous invocation goes to. */
  deadLetters?: string;
  /** What a unit without members may do (a custom resource's handler). */
  permissions?: readonly Permission[];
  /** Files packaged beside the bundle (serverless' package.patterns). */
  patterns?: readonly string[];
}

/** Each Task state gives its Lambda 60 s; the function stops first so the state sees the real error. */
const TASK_TIMEOUT = 50;

// One line per unit, so additions merge cleanly.
// prettier-ignore
export const UNITS = {
  api: { kind: 'http', why: 'JWT routes that read and write only the platform’s own table and start workflows: the dashboard’s everyday calls' },
  customerApi: { kind: 'http', why: 'JWT routes that work in the customer’s account: registering a stack (its role is the verifier principal), deleting its pipeline stack, reading logs and stack events' },
  credentials: { kind: 'http', why: 'JWT routes that hand out secrets: View Secret, the bastion’s private key (both read in the customer’s account, audited), and a subscription’s signing secret (the key that seals it)' },
  githubWebhook: { kind: 'http', timeout: 9, why: 'No JWT: GitHub’s signed pushes, checked against the stack’s webhook secret, start runs (GitHub waits 10 s)' },
  docs: { kind: 'http', why: 'No JWT: liveness, and the OpenAPI document (generated from every route, src/api/openapi.json), which stays out of the other functions’ bundles' },
  approvals: { kind: 'http', timeout: 9, why: 'No JWT authorizer: approval links and Slack’s buttons, checked with the link key and Slack’s signing secret, resume waiting runs' },
  tasks: { kind: 'tasks', timeout: TASK_TIMEOUT, why: 'Workflow tasks that touch only the platform’s table and workflows' },
  customerTasks: { kind: 'tasks', timeout: TASK_TIMEOUT, why: 'Workflow tasks that call CloudFormation, CodePipeline and ECR in the customer’s account' },
  approvalRequests: { kind: 'tasks', timeout: TASK_TIMEOUT, why: 'The workflow task that sends approval requests: reads the link key and the stack’s Slack webhook, sends email' },
  events: { kind: 'events', why: 'Status events that move workflows on: CloudFormation’s and CodePipeline’s resume waits, an ended operation starts what was asked with a stage' },
  backstops: { kind: 'events', why: 'Step Functions’ own failure events: the backstops that record what a workflow could not, in the customer’s account if needed' },
  webhookFanOut: { kind: 'events', maximumRetryAttempts: 2, deadLetters: 'WebhookDeliveryDeadLetterQueue', why: 'Every platform event, fanned out to the tenant’s webhook subscriptions as queued deliveries' },
  webhookSender: { kind: 'queue', timeout: 30, why: 'The webhook delivery queue’s consumer: opens the signing secret, signs and POSTs (5 s each, a batch at once)' },
  deployDashboard: { kind: 'custom', timeout: 120, permissions: ['dashboard:deploy'], patterns: ['web/dist/deploy/**'], why: 'The Custom::DashboardAssets resource (serverless/dashboard.yml): copies the dashboard’s build, packaged beside it, into its bucket' },
} as const satisfies Record<string, UnitSpec>;

export type UnitName = keyof typeof UNITS;
type UnitsOf<K extends UnitSpec['kind']> = {
  [U in UnitName]: (typeof UNITS)[U]['kind'] extends K ? U : never;
}[UnitName];
export type HttpUnit = UnitsOf<'http'>;
export type TaskUnit = UnitsOf<'tasks'>;
export type EventUnit = UnitsOf<'events' | 'queue'>;

/** The units of some kinds, in the table's order. */
export const unitsOf = <K extends UnitSpec['kind']>(...kinds: K[]) =>
  (Object.keys(UNITS) as UnitName[]).filter((unit) =>
    (kinds as string[]).includes(UNITS[unit].kind),
  ) as UnitsOf<K>[];

/** functions/<kebab-name>.ts: customerApi → functions/customer-api.ts. */
export const entryOf = (unit: UnitName) =>
  `functions/${unit.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.ts`;
