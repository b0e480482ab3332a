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

/**
 * What each function may do. `table`/`index`: DynamoDB actions on the table and on gsi1;
 * `onlyKeys`: a partition key prefix the function's items are confined to; `start`/`resume`:
 * start the workflows, answer their task tokens; `customerAccounts`: 'verify' assumes any role
 * directly (with the tenant's external id, to prove the tenant controls it), 'platform' goes
 * through the platform principal role.
 *
 * Reads of a tenant's external id (targetOf, the stack tasks) only GetItem: by then the profile
 * exists, because registering the stack's role created it.
 */
const ACCESS = {
  // HTTP
  health: {},
  getOpenApi: {},
  getRoleSetup: { table: TENANT_PROFILE },
  createStack: { table: [...IDEMPOTENCY, ...TENANT_PROFILE], customerAccounts: 'verify' },
  listStacks: { table: QUERY },
  getStack: { table: READ },
  deleteStack: { table: IDEMPOTENCY },
  createStage: { table: IDEMPOTENCY, start: true },
  listStages: { table: READ, index: QUERY },
  getStage: { table: READ },
  updateStage: { table: IDEMPOTENCY, start: true },
  deleteStage: { table: IDEMPOTENCY, start: true },
  getStageLogs: { table: READ, customerAccounts: 'platform' },
  getStageStackEvents: { table: READ, customerAccounts: 'platform' },
  getOperation: { table: READ },
  listOperations: { table: READ, index: QUERY },
  // Tasks of the state machines
  renderStageTemplateTask: { table: READ },
  createStackTask: { table: READ, customerAccounts: 'platform' },
  updateStackTask: { table: READ, customerAccounts: 'platform' },
  deleteStackTask: { table: READ, customerAccounts: 'platform' },
  continueUpdateRollbackTask: { table: READ, customerAccounts: 'platform' },
  describeStackTask: { table: READ, customerAccounts: 'platform' },
  explainStackFailureTask: { table: READ, customerAccounts: 'platform' },
  waitForStackTask: { table: UPDATE, onlyKeys: 'WAIT#', resume: true },
  recordStageReadyTask: { table: UPDATE },
  recordFailureTask: { table: UPDATE },
  removeStageTask: { table: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'] },
  // EventBridge
  stackStatusChanged: { table: UPDATE, onlyKeys: 'WAIT#', resume: true },
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
    sub(`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${service}-${stage}-${workflow}`),
  );
  const platformPrincipalArn = sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${names.platformPrincipal}`);

  const resources = {};

  for (const [key, access] of Object.entries(ACCESS)) {
    const logGroup = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${key}`;
    const statements = [
      // Only its own log group, which serverless creates with the retention: no logs:CreateLogGroup.
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: sub(`${logGroup}:*`) },
      ...tableStatements(access),
    ];
    if (access.start) {
      statements.push({ Effect: 'Allow', Action: ['states:StartExecution'], Resource: stateMachineArns });
    }
    if (access.resume) {
      statements.push({
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: stateMachineArns,
      });
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
      MaxSessionDuration: 3600,
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
    const functionArns = stateMachines
      .taskNames(workflow)
      .map((task) => ({ 'Fn::GetAtt': [stateMachines.lambdaLogicalId(stateMachines.taskFunctionKey(task)), 'Arn'] }));
    resources[`${pascal(workflow)}StateMachineRole`] = {
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
              ],
            },
          },
        ],
      },
    };
  }

  return { Resources: resources };
};
