/**
 * `npm run package:check`: compiles serverless.yml offline (`serverless package`, with no stage and no
 * parameters, as a newcomer would run it) and
 * checks the CloudFormation template it produces against the code: one Lambda per entry file, one
 * role per Lambda, one HTTP route per API route with the JWT authorizer where the route wants it,
 * the state machines with every placeholder resolved, the table and the bus, no dependency cycle,
 * and every bundle under the size budget. Exits 1 listing every failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(root, '.serverless');
/** The stage `serverless package` builds when none is given. */
const STAGE = 'dev';
const SERVICE = 'tinystacks';
const RUNTIME = 'nodejs24.x';
const MAX_ARTIFACT_BYTES = 1024 * 1024;

const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
  return ok;
};

// ---- package -----------------------------------------------------------------------------------

rmSync(outDir, { recursive: true, force: true });
const started = performance.now();
const serverless = (...args) =>
  spawnSync(process.execPath, [realpathSync(join(root, 'node_modules/.bin/serverless')), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      // Packaging calls no AWS API, but the CLI still looks for credentials; without these it
      // waits on the EC2 metadata endpoint. Dummy keys also keep a developer's real profile out of it.
      AWS_ACCESS_KEY_ID: 'AKIAPACKAGECHECK',
      AWS_SECRET_ACCESS_KEY: 'package-check',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
const cli = serverless('package');
const packageSeconds = (performance.now() - started) / 1000;
if (cli.status !== 0) {
  console.error(cli.stdout, cli.stderr);
  console.error(`package check: serverless package failed (exit ${cli.status ?? cli.signal})`);
  process.exit(1);
}

// Deploy, unlike package, refuses to go without the required parameters, before it calls AWS.
const deploy = serverless('deploy', '--stage', 'package-check');
check(
  deploy.status !== 0 &&
    /The deploy parameter jwtIssuerUrl is required/.test(`${deploy.stdout}${deploy.stderr}`),
  `serverless deploy without parameters must stop naming them (exit ${deploy.status}): ${deploy.stderr.slice(0, 300)}`,
);

const template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
const resources = template.Resources;
const ofType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
const getAttTarget = (value) =>
  value && Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined;

// ---- table ---------------------------------------------------------------------------------------

const tables = ofType('AWS::DynamoDB::Table');
if (check(tables.length === 1, `expected one DynamoDB table, found ${tables.length}`)) {
  const [id, { Properties: table }] = tables[0];
  const keys = (schema) => (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  check(keys(table.KeySchema) === 'pk:HASH,sk:RANGE', `${id}: key schema must be pk/sk`);
  check(table.BillingMode === 'PAY_PER_REQUEST', `${id}: must be PAY_PER_REQUEST`);
  const gsi1 = (table.GlobalSecondaryIndexes ?? []).find((i) => i.IndexName === 'gsi1');
  check(
    gsi1 && keys(gsi1.KeySchema) === 'gsi1pk:HASH,gsi1sk:RANGE' && gsi1.Projection?.ProjectionType === 'ALL',
    `${id}: needs index gsi1 on gsi1pk/gsi1sk projecting ALL`,
  );
  check(
    table.TimeToLiveSpecification?.AttributeName === 'expiresAt' &&
      table.TimeToLiveSpecification?.Enabled === true,
    `${id}: TTL must be enabled on expiresAt`,
  );
  check(
    table.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
    `${id}: point-in-time recovery must be on`,
  );
}

// ---- event bus -------------------------------------------------------------------------------------

const buses = ofType('AWS::Events::EventBus');
const busId = buses[0]?.[0];
check(buses.length === 1, `expected one EventBridge bus, found ${buses.length}`);
check(buses[0]?.[1].Properties.Name === `${SERVICE}-${STAGE}`, `the bus must be named ${SERVICE}-${STAGE}`);
const busPolicies = ofType('AWS::Events::EventBusPolicy').map(([, r]) => r.Properties);
check(
  busPolicies.length > 0 &&
    busPolicies.every((p) =>
      // CloudFormation's stack status changes; CodePipeline's state changes of build pipelines (issue 4).
      ['aws.cloudformation', 'aws.codepipeline'].includes(
        p.Statement?.Condition?.StringEquals?.['events:source'],
      ),
    ),
  'the bus policies must only admit events whose source is aws.cloudformation or aws.codepipeline',
);
const statusRule = ofType('AWS::Events::Rule').find(
  ([, r]) =>
    r.Properties.EventBusName?.Ref === busId &&
    r.Properties.EventPattern?.source?.includes('aws.cloudformation') &&
    r.Properties.EventPattern?.['detail-type']?.includes('CloudFormation Stack Status Change'),
);
check(
  statusRule &&
    getAttTarget(statusRule[1].Properties.Targets?.[0]?.Arn) === 'StackStatusChangedLambdaFunction',
  'a rule on the bus must send CloudFormation stack status changes to stackStatusChanged',
);

// ---- state machines ----------------------------------------------------------------------------------

/** statemachines/deploy-stage.asl.json → deployStage, as serverless.yml names its state machine. */
const workflows = readdirSync(join(root, 'statemachines'))
  .filter((file) => file.endsWith('.asl.json'))
  .map((file) => file.replace('.asl.json', '').replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()))
  .sort();
const machines = ofType('AWS::StepFunctions::StateMachine');
const machineNames = machines.map(([, r]) => r.Properties.StateMachineName).sort();
const expectedMachineNames = workflows.map((workflow) => `${SERVICE}-${STAGE}-${workflow}`).sort();
check(
  JSON.stringify(machineNames) === JSON.stringify(expectedMachineNames),
  `expected one state machine per statemachines/*.asl.json (${expectedMachineNames.join(', ')}), found ${machineNames.join(', ')}`,
);
/** The variable src/cloud/aws/workflows.ts reads each ARN from: deployStage → DEPLOY_STAGE_STATE_MACHINE_ARN. */
const arnVariables = Object.fromEntries(
  workflows.map((workflow) => [
    `${workflow.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_STATE_MACHINE_ARN`,
    `${SERVICE}-${STAGE}-${workflow}`,
  ]),
);
for (const [id, { Properties: machine }] of machines) {
  const sub = machine.DefinitionString?.['Fn::Sub'];
  const [body, variables] = Array.isArray(sub) ? sub : [sub ?? machine.DefinitionString, {}];
  const used = [...String(body).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]);
  const leftovers = used.filter((name) => !(name in variables) && !name.startsWith('AWS::'));
  check(leftovers.length === 0, `${id}: unresolved placeholders in its definition: ${leftovers.join(', ')}`);
  check(getAttTarget(machine.RoleArn) in resources, `${id}: its role must be a role of this template`);
}

// ---- functions ------------------------------------------------------------------------------------------

const entryFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? entryFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const expectedHandlers = entryFiles(join(root, 'functions'))
  .map((file) => `${relative(root, file).replace(/\.ts$/, '')}.handler`)
  .sort();
const lambdas = ofType('AWS::Lambda::Function');
const handlers = lambdas.map(([, r]) => r.Properties.Handler).sort();
check(
  JSON.stringify(handlers) === JSON.stringify(expectedHandlers),
  `one Lambda per file in functions/: missing ${expectedHandlers.filter((h) => !handlers.includes(h)).join(', ') || 'none'}; ` +
    `extra ${handlers.filter((h) => !expectedHandlers.includes(h)).join(', ') || 'none'}`,
);

const REQUIRED_ENV = [
  'TABLE_NAME',
  'EVENT_BUS_NAME',
  'EVENT_BUS_ARN',
  'TENANT_CLAIM',
  'DEFAULT_IMAGE_URI',
  'PLATFORM_PRINCIPAL_ARN',
  'VERIFIER_PRINCIPAL_ARN',
  ...Object.keys(arnVariables),
];
const rolesInUse = new Map();
for (const [id, { Properties: fn }] of lambdas) {
  check(fn.Runtime === RUNTIME, `${id}: runtime ${fn.Runtime}, expected ${RUNTIME}`);
  check(JSON.stringify(fn.Architectures) === '["arm64"]', `${id}: must run on arm64`);
  const env = fn.Environment?.Variables ?? {};
  const missing = REQUIRED_ENV.filter((name) => !(name in env));
  check(missing.length === 0, `${id}: missing environment ${missing.join(', ')}`);
  for (const [name, machine] of Object.entries(arnVariables)) {
    const arn = String(env[name]?.['Fn::Sub'] ?? env[name] ?? '');
    check(arn.endsWith(`:stateMachine:${machine}`), `${id}: ${name} must name ${machine}, not ${arn}`);
  }
  const role = getAttTarget(fn.Role);
  if (
    check(resources[role]?.Type === 'AWS::IAM::Role', `${id}: its role must be an IAM role of this template`)
  ) {
    check(!rolesInUse.has(role), `${id} shares role ${role} with ${rolesInUse.get(role)}`);
    rolesInUse.set(role, id);
  }
}

// Least privilege, roughly: no wildcard actions, and nothing on every resource.
for (const [role] of rolesInUse) {
  const statements = resources[role].Properties.Policies?.flatMap((p) => p.PolicyDocument.Statement) ?? [];
  check(
    (resources[role].Properties.ManagedPolicyArns ?? []).length === 0,
    `${role}: no managed policies, only its own statements`,
  );
  for (const s of statements) {
    const actions = [s.Action].flat();
    check(
      !actions.some((a) => a === '*' || a.endsWith(':*')),
      `${role}: wildcard action ${actions.join(', ')}`,
    );
    check(s.Resource !== '*', `${role}: ${actions.join(', ')} on every resource`);
  }
}

// ---- HTTP API -------------------------------------------------------------------------------------------

const { routes } = await tsImport('../../src/api/routes.ts', import.meta.url);
const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
const jwtAuthorizer = authorizers.find(([, r]) => r.Properties.AuthorizerType === 'JWT');
if (check(jwtAuthorizer, 'the HTTP API needs a JWT authorizer')) {
  const { IdentitySource, JwtConfiguration } = jwtAuthorizer[1].Properties;
  check(
    JSON.stringify(IdentitySource) === '["$request.header.Authorization"]',
    'the JWT authorizer must read the Authorization header',
  );
  check(
    JwtConfiguration?.Issuer && JwtConfiguration?.Audience?.length > 0,
    'the JWT authorizer needs an issuer and an audience',
  );
}
const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
const deployedRoutes = new Map(
  ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]),
);
for (const route of routes) {
  const key = `${route.method} ${route.path}`;
  const deployed = deployedRoutes.get(key);
  if (!check(deployed, `route ${key} (${route.operationId}) is not deployed`)) continue;
  deployedRoutes.delete(key);
  const authorized =
    deployed.AuthorizationType === 'JWT' && deployed.AuthorizerId?.Ref === jwtAuthorizer?.[0];
  check(
    route.auth === 'jwt' ? authorized : !deployed.AuthorizationType || deployed.AuthorizationType === 'NONE',
    `route ${key}: ${route.auth === 'jwt' ? 'needs the JWT authorizer' : 'must be public'}`,
  );
  const integration = integrations[String(deployed.Target?.['Fn::Join']?.[1]?.[1]?.Ref)];
  const functionId = getAttTarget(integration?.Properties.IntegrationUri);
  const expected = `${route.operationId[0].toUpperCase()}${route.operationId.slice(1)}LambdaFunction`;
  check(functionId === expected, `route ${key}: must call ${expected}, calls ${functionId}`);
}
check(deployedRoutes.size === 0, `routes not in the API: ${[...deployedRoutes.keys()].join(', ')}`);

// ---- dangling references and dependency cycles --------------------------------------------------------------------------------------

/** Resources a value refers to: Ref, Fn::GetAtt and the ${Name} / ${Name.Attr} of Fn::Sub. */
function references(value, found = new Set(), subVariables = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => references(v, found, subVariables));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const [text, variables = {}] = Array.isArray(inner) ? inner : [inner];
        for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const name = m[1].split('.')[0];
          if (!(m[1] in variables)) found.add(name);
        }
        references(variables, found, subVariables);
      } else references(inner, found, subVariables);
    }
  }
  return found;
}
const parameters = new Set(Object.keys(template.Parameters ?? {}));
const dangling = new Map();
for (const [id, r] of Object.entries(resources)) {
  for (const target of references(r.Properties)) {
    if (target in resources || parameters.has(target) || target.startsWith('AWS::')) continue;
    dangling.set(target, [...(dangling.get(target) ?? []), id]);
  }
}
for (const [target, referrers] of dangling) {
  const hint = target.endsWith('TaskLambdaFunction')
    ? ' (a state machine task without its function in serverless.yml?)'
    : '';
  failures.push(`${target} is not in the template, but ${referrers.join(', ')} refer to it${hint}`);
}
const edges = Object.fromEntries(
  Object.entries(resources).map(([id, r]) => [
    id,
    [...references(r.Properties), ...[r.DependsOn ?? []].flat()].filter((dep) => dep in resources),
  ]),
);
const state = {};
const visit = (id, path) => {
  if (state[id] === 'done') return;
  if (state[id] === 'active') {
    failures.push(`dependency cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
    return;
  }
  state[id] = 'active';
  for (const dep of edges[id]) visit(dep, [...path, id]);
  state[id] = 'done';
};
Object.keys(resources).forEach((id) => visit(id, []));

// ---- artifacts --------------------------------------------------------------------------------------------

const artifacts = readdirSync(outDir)
  .filter((f) => f.endsWith('.zip'))
  .map((f) => ({ name: f, bytes: statSync(join(outDir, f)).size }))
  .sort((a, b) => b.bytes - a.bytes);
check(
  artifacts.length === lambdas.length,
  `expected ${lambdas.length} zip artifacts, found ${artifacts.length}`,
);
for (const { name, bytes } of artifacts) {
  check(bytes < MAX_ARTIFACT_BYTES, `${name} is ${(bytes / 1024).toFixed(0)} KB, over the 1 MB budget`);
}

// ---- cfn-lint ------------------------------------------------------------------------------------------
// The packaged template, as test/unit/templates/cfn-lint.test.ts lints the stages' templates: no
// error, and no warning but W3005 (the framework gives each function a DependsOn on its role,
// which the function's GetAtt of the role already implies). Informational findings are printed.

const lint = spawnSync(
  'cfn-lint',
  [
    '--format',
    'json',
    '--include-checks',
    'I',
    '--',
    join(outDir, 'cloudformation-template-update-stack.json'),
  ],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
if (lint.error || lint.status === null) {
  check(
    !process.env.CI,
    `cfn-lint is not on the PATH (${lint.error?.message}): CI lints the template with it`,
  );
  if (!process.env.CI) console.log('cfn-lint is not on the PATH: the packaged template was not linted');
} else {
  const findings = JSON.parse(lint.stdout || '[]');
  for (const finding of findings) {
    const where = `${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`;
    check(finding.Level !== 'Error', `cfn-lint error ${where}`);
    check(finding.Level !== 'Warning' || finding.Rule.Id === 'W3005', `cfn-lint warning ${where}`);
  }
  const notes = new Map(
    findings.filter((f) => f.Level === 'Informational').map((f) => [f.Rule.Id, f.Message]),
  );
  for (const [id, message] of notes) console.log(`cfn-lint ${id} (informational): ${message}`);
}

// ---- report -----------------------------------------------------------------------------------------------

console.log(`serverless package (no parameters): ${packageSeconds.toFixed(1)} s`);
console.log(
  `${lambdas.length} functions, ${rolesInUse.size} function roles, ${routes.length} routes, ${machines.length} state machines`,
);
const width = Math.max(...artifacts.map((a) => a.name.length));
for (const { name, bytes } of artifacts)
  console.log(`  ${name.padEnd(width)}  ${(bytes / 1024).toFixed(1).padStart(7)} KB`);
if (existsSync(join(outDir, 'serverless-state.json')) && failures.length === 0) {
  console.log('package check: OK');
} else {
  for (const failure of failures) console.error(`✗ ${failure}`);
  console.error(`package check: ${failures.length} failure(s)`);
  process.exit(1);
}
