/*
 * The IAM roles of serverless.yml, built from one line per function: each function has a role of
 * its own that allows only what that function's code touches (`resources: - ${file(./serverless/roles.cjs)}`).
 * The CLI fails the packaging when a function has no line here, or a line has no function.
 *
 * CommonJS because the serverless CLI require()s variable files.
 */
/* global module, require */
/* eslint-disable @typescript-eslint/no-require-imports */
const stateMachines = require('../statemachines/serverless-definitions.cjs');

const { TABLE_ID, EVENT_BUS_ID } = stateMachines;

// DynamoDB action sets, named after the store code that needs them (src/store/*.ts).
const READ = ['dynamodb:GetItem'];
const QUERY = ['dynamodb:Query'];
/** IdempotencyStore: claim (put, get), complete (update), release (delete). */
const IDEMPOTENCY = ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
/** Store.tenantExternalId creates the tenant's profile on first use. */
const TENANT_PROFILE = ['dynamodb:GetItem', 'dynamodb:PutItem'];
const UPDATE = ['dynamodb:UpdateItem'];

// SQS: the webhook delivery queue and its DLQ (serverless.yml resources, src/cloud/aws/delivery-queue.ts).
const WEBHOOK_QUEUE = 'WebhookDeliveryQueue';
const WEBHOOK_DLQ = 'WebhookDeliveryDeadLetterQueue';
/** An SQS event source polls with the function's role; ChangeMessageVisibility is the backoff. */
const QUEUE_CONSUMER = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
];

/**
 * What each function may do. `table`/`index`: DynamoDB actions on the table and on gsi1;
 * `onlyKeys`: a partition key prefix the function's items are confined to; `start`/`resume`:
 * start the workflows, answer their task tokens; `publish`: put events on the platform's bus;
 * `secrets`: Secrets Manager actions on the platform's own secrets (`<service>/<stage>/*`: webhook
 * secrets, the approval link key, Slack's signing secret); `subscriptionKey`: read the key ring that
 * seals webhook signing secrets (the `SubscriptionKeySecret` resource, nothing else); `email`: send approval requests with SES;
 * `customerAccounts`: 'verify' assumes any role directly (with the tenant's external id, to prove
 * the tenant controls it), 'platform' goes through the platform principal role; `queues`: SQS
 * actions per queue (by logical id); `buckets`: S3 actions per bucket (by logical id).
 *
 * Reads of a tenant's external id (targetOf, the stack tasks) only GetItem: by then the profile
 * exists, because registering the stack's role created it.
 */
const ACCESS = {
  // HTTP
  health: {},
  getOpenApi: {},
  getRoleSetup: { table: TENANT_PROFILE },
  /** Also creates the webhook secret and starts the create-pipeline workflow (src/app/pipelines.ts). */
  createStack: {
    table: [...IDEMPOTENCY, ...TENANT_PROFILE],
    customerAccounts: 'verify',
    start: true,
    secrets: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
  },
  listStacks: { table: QUERY },
  getStack: { table: READ },
  /** Also deletes the stack's webhook secret and its pipeline's CloudFormation stack. */
  deleteStack: { table: IDEMPOTENCY, customerAccounts: 'platform', secrets: ['secretsmanager:DeleteSecret'] },
  /** Describes (or deletes a failed) pipeline stack in the customer's account, records the pipeline, starts create-pipeline. */
  retryPipeline: { table: IDEMPOTENCY, customerAccounts: 'platform', start: true, publish: true },
  createStage: { table: IDEMPOTENCY, start: true },
  listStages: { table: READ, index: QUERY },
  getStage: { table: READ },
  updateStage: { table: IDEMPOTENCY, start: true },
  /** Also checks the stage has no database or bastion left (a Query of its partition). */
  deleteStage: { table: [...IDEMPOTENCY, ...QUERY], start: true },
  getStageLogs: { table: READ, customerAccounts: 'platform' },
  getStageStackEvents: { table: READ, customerAccounts: 'platform' },
  getOperation: { table: READ },
  listOperations: { table: READ, index: QUERY },
  // Databases, read replicas, bastions: lock the stage, write the record, start the workflow
  addDatabase: { table: IDEMPOTENCY, start: true },
  listDatabases: { table: [...READ, ...QUERY] },
  getDatabase: { table: READ },
  updateDatabase: { table: IDEMPOTENCY, start: true },
  /** Looks for replicas of the database among the stack's databases (a Query) first. */
  deleteDatabase: { table: [...IDEMPOTENCY, ...QUERY], start: true },
  /** GetSecretValue in the customer's account; writes the audit record, puts the audit event. */
  getDatabaseSecret: { table: [...READ, 'dynamodb:PutItem'], customerAccounts: 'platform', publish: true },
  changeDatabasePassword: { table: IDEMPOTENCY, start: true },
  promoteDatabase: { table: IDEMPOTENCY, start: true },
  createBastion: { table: IDEMPOTENCY, start: true },
  getBastion: { table: [...READ, ...QUERY] },
  deleteBastion: { table: IDEMPOTENCY, start: true },
  /** ssm:GetParameter in the customer's account; writes the audit record, puts the audit event. */
  getBastionPrivateKey: { table: [...READ, 'dynamodb:PutItem'], customerAccounts: 'platform', publish: true },
  // Status subscriptions (webhooks): the slot counter (update) and the item (put); no idempotency
  // records, because the create response carries the secret.
  createSubscription: { table: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], subscriptionKey: true },
  listSubscriptions: { table: QUERY },
  getSubscription: { table: READ },
  /** Deletes the item, gives the slot back (update). */
  deleteSubscription: { table: IDEMPOTENCY },
  listSubscriptionDeadLetters: { table: [...READ, ...QUERY] },
  // Pipeline runs and approvals (src/api/runs.ts, webhooks.ts, approvals.ts)
  listRuns: { table: READ, index: QUERY },
  getRun: { table: READ },
  createRun: { table: IDEMPOTENCY, start: true },
  /** Reads the stack's webhook secret; claims the delivery, records the run, starts its workflow. */
  receiveGithubWebhook: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    start: true,
    secrets: ['secretsmanager:GetSecretValue'],
  },
  /** Reads Slack's signing secret and the link key; decides the approval (conditional write, SendTask*). */
  receiveSlackInteraction: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    resume: true,
    secrets: ['secretsmanager:GetSecretValue'],
  },
  getApproval: { table: READ, secrets: ['secretsmanager:GetSecretValue'] },
  decideApproval: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    resume: true,
    secrets: ['secretsmanager:GetSecretValue'],
  },
  listApprovals: { table: READ, index: QUERY },
  // Tasks of the state machines
  /** Reads the stage's databases (a Query) to wire them into the service. */
  renderStageTemplateTask: { table: [...READ, ...QUERY] },
  createStackTask: { table: READ, customerAccounts: 'platform' },
  updateStackTask: { table: READ, customerAccounts: 'platform' },
  deleteStackTask: { table: READ, customerAccounts: 'platform' },
  continueUpdateRollbackTask: { table: READ, customerAccounts: 'platform' },
  describeStackTask: { table: READ, customerAccounts: 'platform' },
  explainStackFailureTask: { table: READ, customerAccounts: 'platform' },
  waitForStackTask: { table: UPDATE, onlyKeys: 'WAIT#', resume: true },
  /** Reads the stage's pending settings change, which the write makes the stage's settings. */
  recordStageReadyTask: { table: [...READ, ...UPDATE] },
  /** Keeps a failed settings change apart; asks CloudFormation whether the stage still runs its last deployment. */
  recordFailureTask: { table: [...READ, ...UPDATE], customerAccounts: 'platform' },
  removeStageTask: { table: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'] },
  renderDatabaseTemplateTask: { table: READ },
  recordReplicaSourceTask: { table: [...READ, ...UPDATE] },
  recordDatabaseReadyTask: { table: [...READ, ...UPDATE] },
  /** Forgets a database that was never created (DescribeStack tells), or marks it; unlocks the stage. */
  recordDatabaseFailureTask: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    customerAccounts: 'platform',
  },
  removeDatabaseTask: { table: ['dynamodb:DeleteItem'] },
  renderBastionTemplateTask: { table: READ },
  recordBastionReadyTask: { table: UPDATE },
  recordBastionFailureTask: { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
  removeBastionTask: { table: ['dynamodb:DeleteItem'] },
  renderPipelineTemplateTask: { table: READ },
  recordPipelineReadyTask: { table: UPDATE },
  recordPipelineFailureTask: { table: UPDATE },
  /** StartPipelineExecution in the customer's account; the execution lookup and the run. */
  startBuildTask: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    customerAccounts: 'platform',
  },
  waitForBuildTask: { table: UPDATE, resume: true },
  checkBuildTask: { table: READ, customerAccounts: 'platform' },
  beginPromotionTask: { table: UPDATE, index: QUERY },
  pickNextStageTask: { table: [...READ, ...UPDATE] },
  /** Supersedes older pending approvals (the pending index; SendTaskFailure), records the new one. */
  createApprovalTask: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    index: QUERY,
    resume: true,
  },
  /** Signs the approval's link (the link key); sends it by SES and to the stack's Slack webhook (in its secret). */
  sendApprovalRequestTask: {
    table: READ,
    secrets: ['secretsmanager:GetSecretValue'],
    email: true,
  },
  /** Parks the token on the approval; a settled approval fails the task by the function's error. */
  waitForApprovalTask: { table: [...READ, ...UPDATE] },
  prepareStageDeployTask: { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  recordStageDeployedTask: { table: UPDATE },
  recordRunEndTask: { table: [...READ, ...UPDATE] },
  recordRunFailureTask: { table: [...READ, ...UPDATE] },
  // EventBridge
  stackStatusChanged: { table: UPDATE, onlyKeys: 'WAIT#', resume: true },
  /** Takes the stage's next follow-up and starts it like the API would (lock, record, start). */
  operationEnded: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    start: true,
  },
  /** getOperation, then recordFailure (finishOperation, releaseStageLock), then announces the failure. */
  executionEnded: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    publish: true,
    // A database workflow's failure recording asks CloudFormation whether its stack is still there.
    customerAccounts: 'platform',
  },
  /** CodePipeline's state changes: the execution lookup, then the run's build wait (SendTaskSuccess). */
  pipelineStateChanged: { table: [...READ, ...UPDATE], resume: true },
  /** The backstop of the pipeline-run and create-pipeline executions. */
  pipelineExecutionEnded: { table: [...READ, ...UPDATE], publish: true },
  /** Queries the event's tenant's subscriptions, queues the deliveries; its failed events go to the DLQ. */
  deliverEvents: {
    table: QUERY,
    queues: { [WEBHOOK_QUEUE]: ['sqs:SendMessage'], [WEBHOOK_DLQ]: ['sqs:SendMessage'] },
  },
  // Custom resources
  /** Copies the dashboard's build into its bucket; empties it when the stack is deleted. */
  deployDashboard: { buckets: { DashboardBucket: ['s3:PutObject', 's3:DeleteObject', 's3:ListBucket'] } },
  // SQS
  /** Reads the subscription (its sealed secret), writes dead letters. */
  sendWebhook: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    subscriptionKey: true,
    queues: { [WEBHOOK_QUEUE]: QUEUE_CONSUMER },
  },
};

const pascal = (key) => `${key[0].toUpperCase()}${key.slice(1)}`;
const roleLogicalId = (functionKey) => `${pascal(functionKey)}Role`;
const sub = (text) => ({ 'Fn::Sub': text });

const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

function tableStatements(access) {
  const statements = [];
  const onlyKeys = access.onlyKeys
    ? { Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${access.onlyKeys}*`] } } }
    : {};
  if (access.table) {
    statements.push({
      Effect: 'Allow',
      Action: [...new Set(access.table)].sort(),
      Resource: { 'Fn::GetAtt': [TABLE_ID, 'Arn'] },
      ...onlyKeys,
    });
  }
  if (access.index) {
    statements.push({
      Effect: 'Allow',
      Action: [...new Set(access.index)].sort(),
      Resource: sub(`\${${TABLE_ID}.Arn}/index/gsi1`),
    });
  }
  return statements;
}

/**
 * A workflow that runs another as a child (states:startExecution.sync:2, as pipeline-run runs
 * deploy-stage) starts it, follows and stops its executions, and lets Step Functions manage the
 * rule through which it learns that a child ended.
 */
function childStatements(children, namePrefix) {
  if (children.length === 0) return [];
  const arn = (kind, child) =>
    sub(`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:${kind}:${namePrefix}${child}`);
  return [
    {
      Effect: 'Allow',
      Action: ['states:StartExecution'],
      Resource: children.map((c) => arn('stateMachine', c)),
    },
    {
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: children.map((c) => sub(`${arn('execution', c)['Fn::Sub']}:*`)),
    },
    {
      Effect: 'Allow',
      Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      Resource: sub(
        'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      ),
    },
  ];
}

module.exports = async ({ resolveConfigurationProperty, resolveVariable }) => {
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  const region = await resolveVariable('aws:region');
  const functions = Object.keys((await resolveConfigurationProperty(['functions'])) ?? {});

  const unlisted = functions.filter((key) => !(key in ACCESS));
  const stale = Object.keys(ACCESS).filter((key) => !functions.includes(key));
  if (unlisted.length || stale.length) {
    throw new Error(
      `serverless/roles.cjs and serverless.yml disagree: ${[
        ...unlisted.map((key) => `function ${key} has no access line`),
        ...stale.map((key) => `access line ${key} has no function`),
      ].join('; ')}`,
    );
  }

  // Fixed names: the platform principal and the verifier are named in customers' trust policies,
  // which stop matching if a role is replaced; the state machine names are built into ARNs below.
  const names = {
    platformPrincipal: `${service}-${stage}-${region}-platform`,
    verifier: `${service}-${stage}-${region}-verifier`,
  };
  const stateMachineArns = stateMachines.workflows.map((workflow) =>
    sub(
      `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${service}-${stage}-${workflow}`,
    ),
  );
  const platformPrincipalArn = sub(
    `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${names.platformPrincipal}`,
  );

  const resources = {};

  for (const [key, access] of Object.entries(ACCESS)) {
    const logGroup = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${key}`;
    const statements = [
      // Only its own log group, which serverless creates with the retention: no logs:CreateLogGroup.
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: sub(`${logGroup}:*`),
      },
      ...tableStatements(access),
    ];
    if (access.start) {
      statements.push({ Effect: 'Allow', Action: ['states:StartExecution'], Resource: stateMachineArns });
    }
    if (access.publish) {
      statements.push({
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: { 'Fn::GetAtt': [EVENT_BUS_ID, 'Arn'] },
      });
    }
    if (access.secrets) {
      statements.push({
        Effect: 'Allow',
        Action: [...access.secrets].sort(),
        Resource: sub(
          `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${service}/${stage}/*`,
        ),
      });
    }
    if (access.subscriptionKey) {
      statements.push({
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: { Ref: 'SubscriptionKeySecret' },
      });
    }
    if (access.email) {
      statements.push({
        Effect: 'Allow',
        Action: ['ses:SendEmail'],
        Resource: sub('arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*'),
      });
    }
    if (access.resume) {
      statements.push({
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: stateMachineArns,
      });
    }
    for (const [queue, actions] of Object.entries(access.queues ?? {})) {
      statements.push({
        Effect: 'Allow',
        Action: [...actions].sort(),
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      });
    }
    for (const [bucket, actions] of Object.entries(access.buckets ?? {})) {
      const onBucket = actions.filter((a) => a === 's3:ListBucket');
      const onObjects = actions.filter((a) => a !== 's3:ListBucket');
      if (onBucket.length)
        statements.push({ Effect: 'Allow', Action: onBucket, Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } });
      if (onObjects.length)
        statements.push({ Effect: 'Allow', Action: onObjects.sort(), Resource: sub(`\${${bucket}.Arn}/*`) });
    }
    if (access.customerAccounts === 'verify') {
      statements.push({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::*:role/*' });
    }
    if (access.customerAccounts === 'platform') {
      statements.push({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: platformPrincipalArn });
    }
    resources[roleLogicalId(key)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        ...(access.customerAccounts === 'verify' ? { RoleName: names.verifier } : {}),
        AssumeRolePolicyDocument: lambdaTrust,
        Policies: [{ PolicyName: key, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    };
  }

  // The principal customers trust: only the functions that work in customer accounts may become it,
  // and all it may do is assume roles elsewhere (with the tenant's external id, which the functions present).
  resources.PlatformPrincipalRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: names.platformPrincipal,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: Object.entries(ACCESS)
                .filter(([, access]) => access.customerAccounts === 'platform')
                .map(([key]) => ({ 'Fn::GetAtt': [roleLogicalId(key), 'Arn'] })),
            },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'customer-accounts',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::*:role/*' }],
          },
        },
      ],
    },
  };

  // One role per state machine: invoke the task functions its definition names, write the table, emit events.
  for (const workflow of stateMachines.workflows) {
    const functionArns = stateMachines.taskNames(workflow).map((task) => ({
      'Fn::GetAtt': [stateMachines.lambdaLogicalId(stateMachines.taskFunctionKey(task)), 'Arn'],
    }));
    resources[stateMachines.stateMachineRoleId(workflow)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'states.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: workflow,
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: functionArns },
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
                  Resource: { 'Fn::GetAtt': [TABLE_ID, 'Arn'] },
                },
                {
                  Effect: 'Allow',
                  Action: ['events:PutEvents'],
                  Resource: { 'Fn::GetAtt': [EVENT_BUS_ID, 'Arn'] },
                },
                ...childStatements(stateMachines.childWorkflows(workflow), `${service}-${stage}-`),
              ],
            },
          },
        ],
      },
    };
  }

  return { Resources: resources };
};
