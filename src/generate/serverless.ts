/**
 * serverless.yml's functions and roles, generated from the declarations: the units
 * (src/deploy/units.ts), the routes (src/api), the workflow tasks (src/tasks/registry.ts), the event
 * consumers (src/events/consumers.ts) and the permission table (src/deploy/permissions.ts).
 * `npm run generate` writes them to serverless/*.json, which serverless.yml includes; a test checks
 * the committed files equal what this returns.
 */
import { routes } from '../api/routes';
import { consumers, type PatternNames } from '../events/consumers';
import { WORKFLOW_FILES, type WorkflowName } from '../domain/workflows';
import { taskFunctions } from '../tasks/registry';
import { workflowDefinitions } from '../workflows';
import {
  environmentOf,
  NAME_PREFIX,
  PRINCIPAL_NAMES,
  RESOURCES,
  stateMachineArn,
  statementsOf,
  type Permission,
  type Statement,
} from '../deploy/permissions';
import { entryOf, UNITS, type UnitName, type UnitSpec } from '../deploy/units';

const pascal = (name: string) => `${name[0]!.toUpperCase()}${name.slice(1)}`;
const sub = (text: string) => ({ 'Fn::Sub': text });

/** serverless' own logical id for a function's resource: tasks → TasksLambdaFunction. */
export const lambdaLogicalId = (unit: UnitName) => `${pascal(unit)}LambdaFunction`;
export const roleLogicalId = (unit: UnitName) => `${pascal(unit)}Role`;
export const stateMachineRoleId = (workflow: WorkflowName) => `${pascal(workflow)}StateMachineRole`;

const workflows = Object.keys(WORKFLOW_FILES) as WorkflowName[];

/** What the state machine ARNs are in a deployed pattern: CloudFormation computes them. */
const deployedNames: PatternNames = {
  stateMachine: (workflow) => stateMachineArn(workflow) as never,
  anyStateMachine: {
    prefix: sub(
      `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${NAME_PREFIX}-`,
    ),
  } as never,
};

/** Every member of a unit, with what it declares. */
export function membersOf(unit: UnitName) {
  return {
    routes: routes.filter((route) => route.unit === unit),
    tasks: Object.entries(taskFunctions).filter(([, task]) => task.unit === unit),
    consumers: Object.entries(consumers).filter(([, consumer]) => consumer.unit === unit),
  };
}

/** Everything the unit's members may do. */
export function permissionsOf(unit: UnitName): Set<Permission> {
  const members = membersOf(unit);
  return new Set([
    ...((UNITS[unit] as UnitSpec).permissions ?? []),
    ...members.routes.flatMap((route) => route.permissions),
    ...members.tasks.flatMap(([, task]) => task.permissions as Permission[]),
    ...members.consumers.flatMap(([, consumer]) => consumer.permissions),
  ]);
}

const units = Object.keys(UNITS) as UnitName[];

/** The statements of a unit's role: its own log group, then what its members declare. */
export function unitStatements(unit: UnitName): Statement[] {
  const logGroup = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${NAME_PREFIX}-${unit}`;
  return [
    // Only its own log group, which serverless creates with the retention: no logs:CreateLogGroup.
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sub(`${logGroup}:*`),
    },
    ...statementsOf(permissionsOf(unit), workflows.map(stateMachineArn)),
  ];
}

function events(unit: UnitName): unknown[] {
  const members = membersOf(unit);
  return [
    ...members.routes.map((route) => ({
      httpApi: {
        method: route.method,
        path: route.path,
        ...(route.auth === 'jwt' ? { authorizer: { name: 'jwt' } } : {}),
      },
    })),
    ...members.consumers.map(([name, consumer]) => {
      const source = consumer.source;
      if ('queue' in source) {
        return {
          sqs: {
            arn: { 'Fn::GetAtt': [source.queue, 'Arn'] },
            batchSize: source.batchSize,
            functionResponseType: 'ReportBatchItemFailures',
          },
        };
      }
      return {
        eventBridge: {
          ...(source.bus === 'platform' ? { eventBus: { Ref: RESOURCES.bus } } : {}),
          pattern: source.pattern(deployedNames),
          // The unit learns which of its consumers a rule is for from the rule itself.
          inputTransformer: { inputTemplate: `{"consumer":"${name}","event":<aws.events.event.json>}` },
        },
      };
    }),
  ];
}

/** serverless.yml's `functions`: one per unit. */
export function serverlessFunctions(): Record<string, unknown> {
  return Object.fromEntries(
    units.map((unit) => {
      const spec: UnitSpec = UNITS[unit];
      const environment = environmentOf(permissionsOf(unit));
      return [
        unit,
        {
          handler: `${entryOf(unit).replace(/\.ts$/, '')}.handler`,
          role: roleLogicalId(unit),
          ...(spec.timeout ? { timeout: spec.timeout } : {}),
          ...(spec.patterns ? { package: { patterns: spec.patterns } } : {}),
          ...(Object.keys(environment).length > 0 ? { environment } : {}),
          ...(spec.maximumRetryAttempts !== undefined
            ? { maximumRetryAttempts: spec.maximumRetryAttempts }
            : {}),
          ...(spec.deadLetters
            ? {
                destinations: {
                  onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': [spec.deadLetters, 'Arn'] } },
                },
              }
            : {}),
          events: events(unit),
        },
      ];
    }),
  );
}

const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/**
 * The unit functions a workflow's Task states call (`${<Unit>FunctionArn}`), the workflows it starts,
 * and the DynamoDB and EventBridge integrations it uses.
 */
function placeholdersOf(workflow: WorkflowName) {
  const found = new Set<string>();
  // Task resources of the DynamoDB and EventBridge integrations: arn:aws:states:::dynamodb:putItem → dynamodb:PutItem.
  const integrations = new Set<string>();
  JSON.stringify(workflowDefinitions[workflow], (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const placeholder = /^\$\{(\w+)\}$/.exec(value);
    if (placeholder) found.add(placeholder[1]!);
    const integration = key === 'Resource' ? /^arn:aws:states:::(dynamodb|events):(\w+)/.exec(value) : null;
    if (integration) integrations.add(`${integration[1]}:${pascal(integration[2]!)}`);
    return value;
  });
  const suffix = (end: string) =>
    [...found].filter((name) => name.endsWith(end)).map((name) => name.slice(0, -end.length));
  return {
    units: suffix('FunctionArn').map((name) => `${name[0]!.toLowerCase()}${name.slice(1)}` as UnitName),
    children: suffix('StateMachineArn').map(
      (name) => `${name[0]!.toLowerCase()}${name.slice(1)}` as WorkflowName,
    ),
    tableActions: [...integrations].filter((a) => a.startsWith('dynamodb:')).sort(),
    putsEvents: integrations.has('events:PutEvents'),
  };
}

/**
 * A workflow that runs another as a child (states:startExecution.sync:2, as pipeline-run runs
 * deploy-stage) starts it, follows and stops its executions, and lets Step Functions manage the rule
 * through which it learns that a child ended.
 */
function childStatements(children: WorkflowName[]): Statement[] {
  if (children.length === 0) return [];
  const arn = (kind: string, child: WorkflowName) =>
    `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:${kind}:${NAME_PREFIX}-${child}`;
  return [
    {
      Effect: 'Allow',
      Action: ['states:StartExecution'],
      Resource: children.map((c) => sub(arn('stateMachine', c))),
    },
    {
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: children.map((c) => sub(`${arn('execution', c)}:*`)),
    },
    {
      Effect: 'Allow',
      Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
      Resource: sub(
        'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      ),
    },
  ];
}

const policy = (name: string, statements: unknown[]) => [
  { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
];

/** The IAM roles: one per unit, the platform principal, one per state machine. */
export function serverlessRoles(): { Resources: Record<string, unknown> } {
  const resources: Record<string, unknown> = {};
  for (const unit of units) {
    const verifies = permissionsOf(unit).has('customerAccounts:verify');
    resources[roleLogicalId(unit)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        ...(verifies ? { RoleName: PRINCIPAL_NAMES.verifier } : {}),
        AssumeRolePolicyDocument: lambdaTrust,
        Policies: policy(unit, unitStatements(unit)),
      },
    };
  }

  // The principal customers trust: only the units that work in customer accounts may become it, and
  // all it may do is assume roles elsewhere (with the tenant's external id, which the functions present).
  resources[RESOURCES.platformPrincipal] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: PRINCIPAL_NAMES.platform,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: units
                .filter((unit) => permissionsOf(unit).has('customerAccounts:use'))
                .map((unit) => ({ 'Fn::GetAtt': [roleLogicalId(unit), 'Arn'] })),
            },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      Policies: policy('customer-accounts', [
        { Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::*:role/*' },
      ]),
    },
  };

  // One role per state machine: invoke the units its definition calls, the table and bus calls its Tasks make.
  for (const workflow of workflows) {
    const { units: called, children, tableActions, putsEvents } = placeholdersOf(workflow);
    resources[stateMachineRoleId(workflow)] = {
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
        Policies: policy(workflow, [
          {
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            Resource: called.map((unit) => ({ 'Fn::GetAtt': [lambdaLogicalId(unit), 'Arn'] })),
          },
          ...(tableActions.length > 0
            ? [
                {
                  Effect: 'Allow',
                  Action: tableActions,
                  Resource: { 'Fn::GetAtt': [RESOURCES.table, 'Arn'] },
                },
              ]
            : []),
          ...(putsEvents
            ? [
                {
                  Effect: 'Allow',
                  Action: ['events:PutEvents'],
                  Resource: { 'Fn::GetAtt': [RESOURCES.bus, 'Arn'] },
                },
              ]
            : []),
          ...childStatements(children),
        ]),
      },
    };
  }
  return { Resources: resources };
}
