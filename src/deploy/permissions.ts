/**
 * What a route, a task or an event consumer may do, by name, and the one place that says what each
 * name means on AWS: the IAM statements (and the environment) it takes. A deployment unit's role
 * holds the statements of every permission its routes, tasks and consumers declare, and nothing else
 * (src/generate/serverless.ts writes them; the package check compares the template with them).
 *
 * Values are CloudFormation as serverless.yml writes it: `${self:service}`, `${sls:stage}` and
 * `${param:…}` are resolved by serverless, `${AWS::…}` by CloudFormation.
 */

export interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

export interface Grant {
  statements: Statement[];
  /** Variables the adapters read at load (src/cloud/aws), given only to the units that need them. */
  environment?: Record<string, unknown>;
}

const sub = (text: string) => ({ 'Fn::Sub': text });
const allow = (Action: string[], Resource: unknown, Condition?: Record<string, unknown>): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** Logical ids of the resources serverless.yml declares (serverless/resources.yml). */
export const RESOURCES = {
  table: 'Table',
  bus: 'EventBus',
  webhookQueue: 'WebhookDeliveryQueue',
  webhookDeadLetters: 'WebhookDeliveryDeadLetterQueue',
  platformPrincipal: 'PlatformPrincipalRole',
} as const;

/** `<service>-<stage>`: what every function, state machine and role name starts with. */
export const NAME_PREFIX = '${self:service}-${sls:stage}';

/** The roles customers' trust policies name: fixed names, so replacing a role does not break them. */
export const PRINCIPAL_NAMES = {
  platform: `${NAME_PREFIX}-\${aws:region}-platform`,
  verifier: `${NAME_PREFIX}-\${aws:region}-verifier`,
};

export const roleArn = (name: string) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`);

export const stateMachineArn = (workflow: string) =>
  sub(
    `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${NAME_PREFIX}-${workflow}`,
  );

const table = { 'Fn::GetAtt': [RESOURCES.table, 'Arn'] };
const index = sub(`\${${RESOURCES.table}.Arn}/index/gsi1`);
const onTable = (actions: string[]) => ({ statements: [allow(actions, table)] });

/**
 * Filled in by the generator with every state machine's ARN: starting and resuming workflows is
 * allowed on the service's own state machines only.
 */
export const STATE_MACHINES = Symbol('every state machine of the service');

// One line per permission, so additions merge cleanly.
export const PERMISSIONS = {
  // DynamoDB: the single table (src/store) and its index gsi1
  'table:read': onTable(['dynamodb:GetItem']),
  'table:query': onTable(['dynamodb:Query']),
  'table:put': onTable(['dynamodb:PutItem']),
  'table:update': onTable(['dynamodb:UpdateItem']),
  'table:delete': onTable(['dynamodb:DeleteItem']),
  'index:query': { statements: [allow(['dynamodb:Query'], index)] },
  /** IdempotencyStore: claim (put, get), complete (update), release (delete). */
  idempotency: onTable([
    'dynamodb:PutItem',
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ]),
  /** Store.tenantExternalId creates the tenant's profile on first use. */
  'tenant:profile': onTable(['dynamodb:GetItem', 'dynamodb:PutItem']),
  /** Stack waits only (src/store/stack-waits.ts): their partition keys start with WAIT#. */
  'stackWaits:update': {
    statements: [
      allow(['dynamodb:UpdateItem'], table, {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WAIT#*'] },
      }),
    ],
  },
  // Step Functions and EventBridge
  'workflows:start': { statements: [allow(['states:StartExecution'], STATE_MACHINES)] },
  /** Task tokens name no resource: IAM grants SendTask* on `*` only (a state machine ARN allows nothing). */
  'workflows:resume': { statements: [allow(['states:SendTaskSuccess', 'states:SendTaskFailure'], '*')] },
  'events:publish': { statements: [allow(['events:PutEvents'], { 'Fn::GetAtt': [RESOURCES.bus, 'Arn'] })] },
  // The platform's own secrets (`<service>/<stage>/*`): webhook secrets, the approval link key, Slack's signing secret
  'platformSecrets:read': { statements: [allow(['secretsmanager:GetSecretValue'], platformSecrets())] },
  'platformSecrets:create': {
    statements: [allow(['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], platformSecrets())],
  },
  'platformSecrets:delete': { statements: [allow(['secretsmanager:DeleteSecret'], platformSecrets())] },
  /** The key ring that seals webhook subscription secrets (src/cloud/aws/subscription-key.ts): that secret only. */
  'subscriptionKey:use': {
    statements: [allow(['secretsmanager:GetSecretValue'], { Ref: 'SubscriptionKeySecret' })],
    environment: { SUBSCRIPTION_KEY_SECRET: { Ref: 'SubscriptionKeySecret' } },
  },
  'email:send': {
    statements: [
      allow(['ses:SendEmail'], sub('arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*')),
    ],
  },
  // Customers' accounts (README "The customer's role")
  /** Assumes a customer's role directly, to prove the tenant controls it: the unit's role is the verifier. */
  'customerAccounts:verify': { statements: [allow(['sts:AssumeRole'], 'arn:aws:iam::*:role/*')] },
  /** Works in customers' accounts through the platform principal, which trusts the unit's role. */
  'customerAccounts:use': { statements: [allow(['sts:AssumeRole'], roleArn(PRINCIPAL_NAMES.platform))] },
  // Webhook deliveries (src/cloud/aws/delivery-queue.ts)
  'deliveries:send': {
    statements: [
      allow(['sqs:SendMessage'], { 'Fn::GetAtt': [RESOURCES.webhookQueue, 'Arn'] }),
      allow(['sqs:SendMessage'], { 'Fn::GetAtt': [RESOURCES.webhookDeadLetters, 'Arn'] }),
    ],
    environment: { WEBHOOK_QUEUE_URL: { Ref: RESOURCES.webhookQueue } },
  },
  /** Copies the dashboard's build into its bucket, and empties it when the stack is deleted. */
  'dashboard:deploy': {
    statements: [
      allow(['s3:ListBucket'], { 'Fn::GetAtt': ['DashboardBucket', 'Arn'] }),
      allow(['s3:DeleteObject', 's3:PutObject'], sub('${DashboardBucket.Arn}/*')),
    ],
  },
  /** An SQS event source polls with the function's role; ChangeMessageVisibility is the backoff. */
  'deliveries:consume': {
    statements: [
      allow(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        { 'Fn::GetAtt': [RESOURCES.webhookQueue, 'Arn'] },
      ),
    ],
    environment: { WEBHOOK_QUEUE_URL: { Ref: RESOURCES.webhookQueue } },
  },
} satisfies Record<string, Grant>;

function platformSecrets() {
  return sub(
    `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:\${self:service}/\${sls:stage}/*`,
  );
}

export type Permission = keyof typeof PERMISSIONS;

/**
 * The statements of a set of permissions, merged: one statement per resource and condition, its
 * actions sorted, in the order the permissions first name them.
 */
export function statementsOf(permissions: Iterable<Permission>, stateMachineArns: unknown[]): Statement[] {
  const merged = new Map<string, Statement>();
  for (const permission of permissions) {
    for (const statement of PERMISSIONS[permission].statements as Statement[]) {
      const resource = statement.Resource === STATE_MACHINES ? stateMachineArns : statement.Resource;
      const key = JSON.stringify([resource, statement.Condition]);
      const actions = new Set([...(merged.get(key)?.Action ?? []), ...statement.Action]);
      merged.set(key, { ...statement, Action: [...actions].sort(), Resource: resource });
    }
  }
  return [...merged.values()];
}

export function environmentOf(permissions: Iterable<Permission>): Record<string, unknown> {
  const environment: Record<string, unknown> = {};
  for (const permission of permissions)
    Object.assign(environment, (PERMISSIONS[permission] as Grant).environment);
  return environment;
}
