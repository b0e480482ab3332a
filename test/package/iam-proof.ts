/**
 * The IAM proof: every AWS call the deployed functions and state machines made while the
 * integration and end-to-end suites ran (recorded by src/local/iam-recorder.ts), evaluated against
 * the caller's role in the packaged template with an IAM policy evaluator (@cloud-copilot/iam-simulate,
 * which knows each action's resource types and condition keys from AWS's service authorization
 * reference). A call its role does not allow is a failure; a grant no call used is listed. The
 * customer's role (src/domain/customer-role.ts) is proved the same way against the calls made in
 * the customer's account, and every AssumeRole against the trust policy of the role it assumes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { eventForwardingRule, permissionsPolicy, trustPolicy } from '../../src/domain/customer-role';
import { WORKFLOW_FILES, type WorkflowName } from '../../src/domain/workflows';
import { RESOURCES } from '../../src/deploy/permissions';
import { lambdaLogicalId, roleLogicalId } from '../../src/generate/serverless';
import { UNITS, type UnitName } from '../../src/deploy/units';
import type { IamRecord } from '../../src/local/iam-recorder';

/** The account, region and stack the packaged template is evaluated in (`serverless package`: stage dev). */
export const PLATFORM = { account: '123456789012', region: 'us-east-1', stackName: 'tinystacks-dev' };

type Context = Record<string, string | string[]>;
interface Policy {
  Version?: string;
  Statement: Statement[];
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}
interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

/** A caller whose role is proved. */
interface Principal {
  label: string;
  roleArn: string;
  policies: Policy[];
  /** What `${NAME}` in a recorded resource stands for: the function's environment. */
  environment?: Record<string, string>;
  /** A state machine's definition, with its placeholders resolved. */
  states?: Record<string, TaskState>;
}
interface TaskState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  States?: Record<string, TaskState>;
  Branches?: { States: Record<string, TaskState> }[];
}

/** One distinct request to IAM, with how often and by which tests it was made. */
export interface ProvedRequest {
  principal: string;
  via?: string;
  action: string;
  resource: string;
  account: string;
  context: Context;
  calls: number;
  tests: Set<string>;
  allowed?: boolean;
}

export interface ProofResult {
  calls: number;
  requests: ProvedRequest[];
  tests: number;
  /** Calls no grant allows, and records that could not be read as a request. */
  failures: string[];
  /** Per principal: `action on resource` of every grant no call used. */
  unused: Map<string, string[]>;
  /** The customer role's statements: calls each allowed, and its actions no call used. */
  customerStatements: { sid: string; calls: number; unusedActions: string[]; viaCloudFormation: boolean }[];
}

// ---- the template's values, as CloudFormation would resolve them ----------------------------------

/** Physical names and attributes of the template's resources, deterministic stand-ins for CloudFormation's. */
export function templateValues(template: Template) {
  const { account, region, stackName } = PLATFORM;
  const arn = (service: string, resource: string, inRegion = region) =>
    `arn:aws:${service}:${inRegion}:${account}:${resource}`;
  const generated = (id: string) => `${stackName}-${id}-ABCDEF123456`;
  const nameOf = (id: string): string => {
    const resource = template.Resources[id];
    const p = (resource?.Properties ?? {}) as Record<string, unknown>;
    const named = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : generated(id));
    switch (resource?.Type) {
      case 'AWS::DynamoDB::Table':
        return named('TableName');
      case 'AWS::Events::EventBus':
        return named('Name');
      case 'AWS::SQS::Queue':
        return named('QueueName');
      case 'AWS::SecretsManager::Secret':
        return named('Name');
      case 'AWS::IAM::Role':
        return named('RoleName');
      case 'AWS::Lambda::Function':
        return named('FunctionName');
      case 'AWS::StepFunctions::StateMachine':
        return named('StateMachineName');
      case 'AWS::S3::Bucket':
        return named('BucketName').toLowerCase();
      default:
        return id;
    }
  };
  const attribute = (id: string, name: string): string => {
    const type = template.Resources[id]?.Type;
    const resourceName = nameOf(id);
    if (name === 'Arn') {
      switch (type) {
        case 'AWS::DynamoDB::Table':
          return arn('dynamodb', `table/${resourceName}`);
        case 'AWS::Events::EventBus':
          return arn('events', `event-bus/${resourceName}`);
        case 'AWS::SQS::Queue':
          return arn('sqs', resourceName);
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${account}:role/${resourceName}`;
        case 'AWS::Lambda::Function':
          return arn('lambda', `function:${resourceName}`);
        case 'AWS::StepFunctions::StateMachine':
          return arn('states', `stateMachine:${resourceName}`);
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${resourceName}`;
      }
    }
    if (name === 'QueueUrl') return `https://sqs.${region}.amazonaws.com/${account}/${resourceName}`;
    return `${id}.${name}`;
  };
  const ref = (id: string): string => {
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
    };
    if (id in pseudo) return pseudo[id]!;
    switch (template.Resources[id]?.Type) {
      case 'AWS::SQS::Queue':
        return attribute(id, 'QueueUrl');
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${nameOf(id)}-AbCdEf`);
      case 'AWS::StepFunctions::StateMachine':
        return attribute(id, 'Arn');
      case 'AWS::ApiGatewayV2::Api':
        return 'abcdef1234';
      default:
        return nameOf(id);
    }
  };
  /** `${Name}`, `${Name.Attr}` and `${AWS::Region}` of Fn::Sub; `${!Literal}` stays literal. */
  const substitute = (text: string, variables: Record<string, unknown> = {}) =>
    text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return String(resolve(variables[name]));
      const [id, attr] = name.split('.');
      if (attr) return attribute(id!, attr);
      return id! in template.Resources || id!.startsWith('AWS::') ? ref(id!) : whole;
    });
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [[key, inner]] = entries as [[string, unknown]];
      if (key === 'Ref') return ref(String(inner));
      if (key === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(inner) ? inner : String(inner).split('.');
        return attribute(String(id), String(attr));
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
        return substitute(String(text), variables as Record<string, unknown>);
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = inner as [string, unknown[]];
        return (resolve(parts) as unknown[]).join(separator);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return { resolve, ref, attribute, nameOf };
}

// ---- principals ------------------------------------------------------------------------------------

/** `serverless package` leaves `<name: set at deploy>` for required parameters; their shape is enough here. */
const deployParameter = (value: string) => value.replace(/<(\w+): set at deploy>/g, '$1');

function principalsOf(template: Template): Map<string, Principal> {
  const { resolve, attribute } = templateValues(template);
  const role = (id: string): Pick<Principal, 'roleArn' | 'policies'> => {
    const props = template.Resources[id]?.Properties ?? {};
    const policies = ((props.Policies ?? []) as { PolicyDocument: unknown }[]).map(
      (p) => resolve(p.PolicyDocument) as Policy,
    );
    return { roleArn: attribute(id, 'Arn'), policies };
  };
  const principals = new Map<string, Principal>();
  for (const unit of Object.keys(UNITS) as UnitName[]) {
    const fn = template.Resources[lambdaLogicalId(unit)]?.Properties ?? {};
    const variables = resolve((fn.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
    const environment: Record<string, string> = {
      AWS_REGION: PLATFORM.region,
      AWS_ACCOUNT_ID: PLATFORM.account,
      AWS_LAMBDA_FUNCTION_NAME: String(fn.FunctionName ?? ''),
    };
    for (const [name, value] of Object.entries(variables as Record<string, unknown>))
      environment[name] = deployParameter(String(value));
    principals.set(`unit:${unit}`, {
      label: unit,
      ...role(roleLogicalId(unit)),
      environment,
    });
  }
  for (const workflow of Object.keys(WORKFLOW_FILES) as WorkflowName[]) {
    const machine = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::StepFunctions::StateMachine' &&
        r.Properties?.StateMachineName === `${PLATFORM.stackName}-${workflow}`,
    );
    if (!machine) continue;
    const roleId = (machine.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const definition = JSON.parse(String(resolve(machine.Properties!.DefinitionString))) as {
      States: Record<string, TaskState>;
    };
    principals.set(`stateMachine:${workflow}`, {
      label: `${workflow} (state machine)`,
      ...role(roleId),
      states: definition.States,
    });
  }
  principals.set('platformPrincipal', { label: 'platform principal', ...role(RESOURCES.platformPrincipal) });
  return principals;
}

/** A Task state by name, in branches too. */
function findState(states: Record<string, TaskState>, name: string): TaskState | undefined {
  for (const [stateName, state] of Object.entries(states)) {
    if (stateName === name) return state;
    for (const inner of [state.States, ...(state.Branches ?? []).map((b) => b.States)]) {
      const found = inner && findState(inner, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * What a Task's integration asks of IAM with the state machine's role (Step Functions' "IAM
 * policies for integrated services"): the optimized Lambda, DynamoDB, EventBridge and Step
 * Functions integrations the workflows use.
 */
export function taskRequests(
  state: TaskState,
  recorded: Pick<IamRecord, 'leadingKeys' | 'executionName'>,
): { action: string; resource: string; context?: Context }[] {
  const { account, region } = PLATFORM;
  const p = state.Parameters ?? {};
  const [, service, api, pattern] =
    /^arn:aws:states:::([\w-]+):(\w+)(\..+)?$/.exec(state.Resource ?? '') ?? [];
  const arnOr = (value: unknown, prefix: string) =>
    String(value).startsWith('arn:') ? String(value) : `${prefix}${String(value)}`;
  switch (`${service}:${api}`) {
    case 'lambda:invoke':
      return [
        {
          action: 'lambda:InvokeFunction',
          resource: arnOr(p.FunctionName, `arn:aws:lambda:${region}:${account}:function:`),
        },
      ];
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:getItem':
    case 'dynamodb:deleteItem':
      return [
        {
          action: `dynamodb:${api![0]!.toUpperCase()}${api!.slice(1)}`,
          resource: arnOr(p.TableName, `arn:aws:dynamodb:${region}:${account}:table/`),
          ...(recorded.leadingKeys ? { context: { 'dynamodb:LeadingKeys': recorded.leadingKeys } } : {}),
        },
      ];
    case 'events:putEvents':
      return ((p.Entries ?? []) as { EventBusName?: string }[]).map((entry) => ({
        action: 'events:PutEvents',
        resource: arnOr(entry.EventBusName ?? 'default', `arn:aws:events:${region}:${account}:event-bus/`),
      }));
    case 'states:startExecution': {
      const machine = String(p.StateMachineArn);
      const requests = [{ action: 'states:StartExecution', resource: machine }];
      if (!pattern?.startsWith('.sync')) return requests;
      // .sync: Step Functions follows the child through a managed rule and stops it with its parent.
      const execution = `${machine.replace(':stateMachine:', ':execution:')}:${recorded.executionName ?? 'run'}`;
      const rule = `arn:aws:events:${region}:${account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
      return [
        ...requests,
        { action: 'states:DescribeExecution', resource: execution },
        { action: 'states:StopExecution', resource: execution },
        ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
          action,
          resource: rule,
        })),
      ];
    }
    default:
      throw new Error(`no IAM mapping for the Task resource ${state.Resource}`);
  }
}

// ---- reading the records ---------------------------------------------------------------------------

export function readRecords(folder: string): IamRecord[] {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(join(folder, file), 'utf8')
      .split('\n')
      // A line cut short by a killed process is dropped.
      .flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as IamRecord] : [];
        } catch {
          return [];
        }
      }),
  );
}

/** `${NAME}` of the caller's environment; SQS authorizes a queue URL as its queue's ARN. */
function inEnvironment(resource: string, environment: Record<string, string>): string {
  const missing: string[] = [];
  const value = resource.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    if (!(name in environment)) missing.push(name);
    return environment[name] ?? '';
  });
  if (missing.length > 0)
    throw new Error(
      `its function has no ${missing.join(', ')} in its environment (requireEnv fails at load)`,
    );
  const queue = /^https:\/\/sqs\.([\w-]+)\.amazonaws\.com\/(\d+)\/(.+)$/.exec(value);
  return queue ? `arn:aws:sqs:${queue[1]}:${queue[2]}:${queue[3]}` : value;
}

const accountOf = (arn: string, fallback: string) =>
  /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1] ?? fallback;

// ---- the proof -------------------------------------------------------------------------------------

const sessionOf = (roleArn: string) =>
  `${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/tinystacks`;
const asList = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

async function allows(
  principalArn: string,
  policies: Policy[],
  request: { action: string; resource: string; account: string; context: Context },
  resourcePolicy?: Policy,
): Promise<{ allowed: boolean; error?: string }> {
  const result = await runSimulation(
    {
      request: {
        principal: sessionOf(principalArn),
        action: request.action,
        // The resource's own account where its ARN names one: a forwarded event's bus is the platform's.
        resource: { resource: request.resource, accountId: accountOf(request.resource, request.account) },
        contextVariables: request.context,
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...((resourcePolicy ?? request.action === 'sts:AssumeRole')
        ? { resourcePolicy: resourcePolicy ?? trustingAccountOf(principalArn) }
        : {}),
    },
    {},
  );
  if (result.resultType === 'error') return { allowed: false, error: result.errors.message };
  return { allowed: result.overallResult === 'Allowed' };
}

/**
 * A trust policy that leaves the decision to the caller's identity policies (it trusts the caller's
 * account): how a role's own grant of sts:AssumeRole is proved apart from the trust of the role it assumes.
 */
const trustingAccountOf = (principalArn: string): Policy => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountOf(principalArn, '')}:root` },
      Action: 'sts:AssumeRole',
    } as Statement,
  ],
});

/** IAM's wildcards in an action name, case-insensitively. */
const actionMatches = (pattern: string, action: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(action);

export async function proveIam(
  template: Template,
  records: IamRecord[],
  customerPolicy: Policy = permissionsPolicy as Policy,
): Promise<ProofResult> {
  const principals = principalsOf(template);
  const busArn = templateValues(template).attribute(RESOURCES.bus, 'Arn');
  const platformPrincipal = principals.get('platformPrincipal')!;
  const verifierArn = principals.get('unit:customerApi')!.roleArn;
  const failures: string[] = [];
  const requests = new Map<string, ProvedRequest>();
  const tests = new Set<string>();
  let calls = 0;

  const add = (record: IamRecord, request: Omit<ProvedRequest, 'calls' | 'tests'>) => {
    const key = JSON.stringify([request.principal, request.action, request.resource, request.context]);
    const known = requests.get(key) ?? { ...request, calls: 0, tests: new Set<string>() };
    known.calls += record.n;
    known.tests.add(record.test);
    requests.set(key, known);
  };
  for (const record of records) {
    calls += record.n;
    tests.add(record.test);
    const principal = principals.get(record.principal);
    try {
      if (record.principal === 'forwardingRole') {
        add(record, {
          principal: 'forwardingRole',
          action: record.action!,
          resource: inEnvironment(record.resource!, { EVENT_BUS_ARN: busArn }),
          account: record.account ?? '',
          context: record.context ?? {},
        });
      } else if (record.principal === 'customerRole') {
        const resource = record.resource!;
        add(record, {
          principal: 'customerRole',
          via: record.via,
          action: record.action!,
          resource,
          account: accountOf(
            resource,
            accountOf(record.context?.['aws:SourceAccount'] as string, '000000000000'),
          ),
          context: record.context ?? {},
        });
      } else if (!principal) {
        throw new Error(`no role in the packaged template for ${record.principal}`);
      } else if (record.state !== undefined) {
        const state = findState(principal.states ?? {}, record.state);
        if (!state) throw new Error(`no state ${record.state} in the deployed definition`);
        for (const request of taskRequests(state, record))
          add(record, {
            principal: record.principal,
            ...request,
            account: accountOf(request.resource, PLATFORM.account),
            context: request.context ?? {},
          });
      } else {
        const resource = principal.environment
          ? inEnvironment(record.resource!, principal.environment)
          : record.resource!;
        add(record, {
          principal: record.principal,
          via: record.via,
          action: record.action!,
          resource,
          account: accountOf(resource, PLATFORM.account),
          context: record.context ?? {},
        });
      }
    } catch (error) {
      failures.push(
        `${record.principal} ${record.action ?? record.state} ${record.resource ?? ''}: ${(error as Error).message} (${record.test})`,
      );
    }
  }

  const forwarding = eventForwardingRule(busArn).forwardingRole;
  const roleOf = (request: ProvedRequest) => {
    if (request.principal === 'customerRole')
      return { roleArn: `arn:aws:iam::${request.account}:role/TinyStacksRole`, policies: [customerPolicy] };
    if (request.principal === 'forwardingRole')
      return {
        roleArn: `arn:aws:iam::${request.account}:role/${forwarding.RoleName}`,
        policies: [forwarding.Policy as Policy],
      };
    return principals.get(request.principal)!;
  };
  const labelOf = (request: ProvedRequest) => {
    if (request.principal === 'customerRole') return `customer role (for ${request.via})`;
    if (request.principal === 'forwardingRole') return 'customer’s event forwarding role';
    if (request.principal === 'platformPrincipal') return `platform principal (for ${request.via})`;
    return principals.get(request.principal)!.label;
  };
  // Events forwarded from customers' accounts cross into the platform's: the bus's policy must admit them too.
  const busPolicy = busPolicyOf(template);
  const describe = (request: ProvedRequest) => {
    const context = Object.keys(request.context).length > 0 ? ` with ${JSON.stringify(request.context)}` : '';
    const by = [...request.tests].slice(0, 3).join('; ');
    return `${labelOf(request)}: ${request.action} on ${request.resource}${context} (${request.calls} calls, e.g. ${by})`;
  };

  for (const request of requests.values()) {
    const role = roleOf(request);
    const verdict = await allows(
      role.roleArn,
      role.policies,
      request,
      request.principal === 'forwardingRole' ? busPolicy : undefined,
    );
    request.allowed = verdict.allowed;
    if (!verdict.allowed)
      failures.push(`not allowed: ${describe(request)}${verdict.error ? `: ${verdict.error}` : ''}`);
    if (request.action !== 'sts:AssumeRole') continue;
    // The role assumed must trust the caller: the platform principal its units, the customer's role
    // the platform principal and the verifier, with the tenant's external id.
    const trust =
      request.resource === platformPrincipal.roleArn
        ? (resolveTrust(template, RESOURCES.platformPrincipal) as Policy)
        : (trustPolicy(
            platformPrincipal.roleArn,
            verifierArn,
            String(request.context['sts:ExternalId'] ?? ''),
          ) as Policy);
    const trusted = await allows(role.roleArn, role.policies, request, trust);
    if (!trusted.allowed) failures.push(`not trusted by ${request.resource}: ${describe(request)}`);
  }

  // Grants never used: each action × resource of each statement, tried alone against the calls it could serve.
  const unused = new Map<string, string[]>();
  for (const [key, principal] of principals) {
    const made = [...requests.values()].filter((r) => r.principal === key && r.allowed);
    const list: string[] = [];
    for (const statement of principal.policies.flatMap((p) => p.Statement)) {
      for (const action of asList(statement.Action))
        for (const resource of asList(statement.Resource)) {
          const single: Policy = {
            Version: '2012-10-17',
            Statement: [{ ...statement, Action: action, Resource: resource }],
          };
          let used = false;
          for (const request of made.filter((r) => actionMatches(action, r.action))) {
            if ((await allows(principal.roleArn, [single], request)).allowed) {
              used = true;
              break;
            }
          }
          if (!used) list.push(`${action} on ${resource}`);
        }
    }
    unused.set(principal.label, list);
  }

  const customerMade = [...requests.values()].filter((r) => r.principal === 'customerRole' && r.allowed);
  const customerStatements = [];
  for (const statement of customerPolicy.Statement) {
    let used = 0;
    const unusedActions: string[] = [];
    for (const action of asList(statement.Action)) {
      const single: Policy = { Version: '2012-10-17', Statement: [{ ...statement, Action: action }] };
      let count = 0;
      for (const request of customerMade.filter((r) => actionMatches(action, r.action)))
        if ((await allows(roleOf(request).roleArn, [single], request)).allowed) count += request.calls;
      used += count;
      if (count === 0) unusedActions.push(action);
    }
    customerStatements.push({
      sid: statement.Sid ?? '(no Sid)',
      calls: used,
      unusedActions,
      viaCloudFormation: JSON.stringify(statement.Condition ?? {}).includes('aws:CalledVia'),
    });
  }

  return { calls, requests: [...requests.values()], tests: tests.size, failures, unused, customerStatements };
}

// ---- the proof proved: a grant a call needs, taken away, fails it --------------------------------

/** A statement without `action` (and whatever wildcard covers it); none left if it had no other. */
const withoutAction = (statements: Statement[], action: string): Statement[] =>
  statements.flatMap((statement) => {
    const actions = asList(statement.Action);
    const left = actions.filter((a) => !actionMatches(a, action));
    if (left.length === actions.length) return [statement];
    return left.length > 0 ? [{ ...statement, Action: left }] : [];
  });

/** The role's logical id in the template: the unit's, the state machine's, the platform principal's. */
function roleIdOf(template: Template, principal: string): string | undefined {
  if (principal === 'platformPrincipal') return RESOURCES.platformPrincipal;
  const [kind, name] = principal.split(':');
  if (kind === 'unit') return roleLogicalId(name as UnitName);
  const machine = Object.values(template.Resources).find(
    (r) => r.Properties?.StateMachineName === `${PLATFORM.stackName}-${name}`,
  );
  return (machine?.Properties?.RoleArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
    'Fn::GetAtt'
  ]?.[0];
}

/** The template with `action` taken out of every statement of `principal`'s role. */
export function withoutGrant(template: Template, principal: string, action: string): Template {
  const roleId = roleIdOf(template, principal);
  const role = roleId ? template.Resources[roleId] : undefined;
  if (!roleId || !role) throw new Error(`no role in the template for ${principal}`);
  const policies = (role.Properties!.Policies as { PolicyName: string; PolicyDocument: Policy }[]).map(
    (p) => ({
      ...p,
      PolicyDocument: { ...p.PolicyDocument, Statement: withoutAction(p.PolicyDocument.Statement, action) },
    }),
  );
  return {
    ...template,
    Resources: {
      ...template.Resources,
      [roleId]: { ...role, Properties: { ...role.Properties, Policies: policies } },
    },
  };
}

/**
 * The proof must fail when a grant a call needs is gone: for each caller (and the customer's role),
 * its most used action is taken out of its role and that caller's calls proved again. Returns the
 * removals the proof did not notice (none, or the proof is blind there).
 */
export async function unnoticedRemovals(
  template: Template,
  records: IamRecord[],
  result: ProofResult,
): Promise<{ checked: number; unnoticed: string[] }> {
  const mostUsed = new Map<string, ProvedRequest>();
  for (const request of result.requests)
    if (
      request.allowed &&
      request.principal !== 'forwardingRole' &&
      (mostUsed.get(request.principal)?.calls ?? 0) < request.calls
    )
      mostUsed.set(request.principal, request);
  const unnoticed: string[] = [];
  for (const [principal, request] of mostUsed) {
    const own = records.filter((r) => r.principal === principal);
    const customer = principal === 'customerRole';
    const proof = customer
      ? await proveIam(template, own, {
          ...(permissionsPolicy as Policy),
          Statement: withoutAction((permissionsPolicy as Policy).Statement, request.action),
        })
      : await proveIam(withoutGrant(template, principal, request.action), own);
    const noticed = proof.failures.some(
      (f) => f.startsWith('not allowed: ') && f.includes(`: ${request.action} on `),
    );
    if (!noticed) unnoticed.push(`${principal} without ${request.action}`);
  }
  return { checked: mostUsed.size, unnoticed };
}

/** The platform bus's resource policy: the template's AWS::Events::EventBusPolicy statements on it. */
function busPolicyOf(template: Template): Policy {
  const { resolve } = templateValues(template);
  const Statement = Object.values(template.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::Events::EventBusPolicy' &&
        JSON.stringify(r.Properties?.EventBusName) === JSON.stringify({ Ref: RESOURCES.bus }),
    )
    .map(
      (r) =>
        ({ Sid: r.Properties!.StatementId, ...(resolve(r.Properties!.Statement) as object) }) as Statement,
    );
  return { Version: '2012-10-17', Statement };
}

function resolveTrust(template: Template, roleId: string): unknown {
  return templateValues(template).resolve(template.Resources[roleId]?.Properties?.AssumeRolePolicyDocument);
}

/** What the package check prints: totals, calls per caller, grants never used. */
export function proofReport(result: ProofResult): string[] {
  const byPrincipal = new Map<string, { calls: number; distinct: number }>();
  for (const request of result.requests) {
    const label = request.principal
      .replace(/^unit:/, '')
      .replace(/^stateMachine:(.+)$/, '$1 (state machine)');
    const entry = byPrincipal.get(label) ?? { calls: 0, distinct: 0 };
    entry.calls += request.calls;
    entry.distinct += 1;
    byPrincipal.set(label, entry);
  }
  const lines = [
    `IAM proof: ${result.calls} AWS calls (${result.requests.length} distinct requests) made by ${result.tests} tests, ` +
      `each checked against its caller's role in the packaged template: ${result.failures.length} not allowed`,
    `  calls per caller: ${[...byPrincipal]
      .sort(([, a], [, b]) => b.calls - a.calls)
      .map(([label, { calls, distinct }]) => `${label} ${calls} (${distinct})`)
      .join(', ')}`,
    '  grants never used:',
  ];
  for (const [label, grants] of result.unused)
    lines.push(`    ${label}: ${grants.length === 0 ? 'none' : grants.join('; ')}`);
  lines.push('  customer role statements (calls made in the customer account; unused actions):');
  for (const s of result.customerStatements)
    lines.push(
      `    ${s.sid}: ${s.calls} calls` +
        (s.viaCloudFormation && s.calls === 0
          ? ' (only CloudFormation uses it: its handlers are checked by test/unit/domain/customer-role.test.ts)'
          : s.unusedActions.length > 0
            ? `; unused: ${s.unusedActions.join(', ')}`
            : ''),
    );
  return lines;
}
