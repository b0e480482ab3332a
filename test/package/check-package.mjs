/**
 * `npm run package:check`: compiles serverless.yml offline (`serverless package`, with no stage and no
 * parameters, as a newcomer would run it) and checks the CloudFormation template against the
 * declarations it was generated from: the resource count within budget, every route on its unit's
 * function (with the JWT authorizer where the route wants it), every consumer's rule or queue, every
 * state machine with its placeholders resolved, each role's statements exactly what its unit
 * declares, no dependency cycle, the bundles' sizes, cfn-lint over the template, and the IAM proof
 * (./iam-proof.ts: every AWS call the tests recorded is allowed by its caller's role); and that
 * deploy refuses to go without its parameters. Exits 1 listing every failure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(root, '.serverless');
/** `serverless package` builds the stage `dev` when none is given. */
const VARIABLES = { '${self:service}': 'tinystacks', '${sls:stage}': 'dev', '${aws:region}': 'us-east-1' };
/** CloudFormation allows 500 resources per stack; a new route adds one, a new unit about five. */
const MAX_RESOURCES = 200;
const MAX_ARTIFACT_BYTES = 1024 * 1024;

const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
  return ok;
};

rmSync(outDir, { recursive: true, force: true });
const started = performance.now();
const serverless = (...args) =>
  spawnSync(process.execPath, [realpathSync(join(root, 'node_modules/.bin/serverless')), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    // Packaging calls no AWS API, but the CLI still looks for credentials; without these it waits on
    // the EC2 metadata endpoint. Dummy keys also keep a developer's real profile out of it.
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIAPACKAGECHECK',
      AWS_SECRET_ACCESS_KEY: 'package-check',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
const cli = serverless('package');
if (cli.status !== 0) {
  console.error(cli.stdout, cli.stderr);
  console.error(`package check: serverless package failed (exit ${cli.status ?? cli.signal})`);
  process.exit(1);
}
const packageSeconds = (performance.now() - started) / 1000;

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
const target = (value) => (Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined);
/** A generated value as serverless resolves it for the stage it packaged. */
const resolved = (value) =>
  JSON.parse(
    Object.entries(VARIABLES).reduce((text, [name, v]) => text.split(name).join(v), JSON.stringify(value)),
  );
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const { UNITS } = await tsImport('../../src/deploy/units.ts', import.meta.url);
const { membersOf, unitStatements, lambdaLogicalId, roleLogicalId } = await tsImport(
  '../../src/generate/serverless.ts',
  import.meta.url,
);
const { WORKFLOW_FILES } = await tsImport('../../src/domain/workflows.ts', import.meta.url);

// ---- size ------------------------------------------------------------------------------------------

const resourceCount = Object.keys(resources).length;
check(resourceCount <= MAX_RESOURCES, `${resourceCount} resources, over the budget of ${MAX_RESOURCES}`);
check(ofType('AWS::DynamoDB::Table').length === 1, 'expected one DynamoDB table');
check(ofType('AWS::Events::EventBus').length === 1, 'expected one EventBridge bus');
const authorizer = ofType('AWS::ApiGatewayV2::Authorizer').find(
  ([, r]) => r.Properties.AuthorizerType === 'JWT',
);
check(
  authorizer?.[1].Properties.JwtConfiguration?.Audience?.length > 0,
  'the HTTP API needs a JWT authorizer',
);

// ---- units: function, role, routes, rules ----------------------------------------------------------

const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
const deployedRoutes = new Map(
  ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]),
);
const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
for (const unit of Object.keys(UNITS)) {
  const functionId = lambdaLogicalId(unit);
  const fn = resources[functionId]?.Properties;
  if (!check(fn, `unit ${unit} has no function`)) continue;
  check(target(fn.Role) === roleLogicalId(unit), `${functionId} must run as ${roleLogicalId(unit)}`);
  const statements = resources[roleLogicalId(unit)]?.Properties.Policies.flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  check(
    same(statements, resolved(unitStatements(unit))),
    `${roleLogicalId(unit)}: its statements are not what unit ${unit} declares (src/deploy/permissions.ts)`,
  );

  const members = membersOf(unit);
  for (const route of members.routes) {
    const key = `${route.method} ${route.path}`;
    const deployed = deployedRoutes.get(key);
    if (!check(deployed, `route ${key} is not deployed`)) continue;
    deployedRoutes.delete(key);
    const integration = integrations[deployed.Target?.['Fn::Join']?.[1]?.[1]?.Ref];
    check(
      target(integration?.Properties.IntegrationUri) === functionId,
      `route ${key} must call ${functionId}`,
    );
    const authorized = deployed.AuthorizationType === 'JWT' && deployed.AuthorizerId?.Ref === authorizer?.[0];
    check(
      route.auth === 'jwt' ? authorized : !deployed.AuthorizationType,
      `route ${key}: auth must be ${route.auth}`,
    );
  }
  for (const [name, consumer] of members.consumers) {
    if ('queue' in consumer.source) {
      const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
        ([, r]) => target(r.Properties.FunctionName) === functionId,
      );
      check(
        target(mapping?.[1].Properties.EventSourceArn) === consumer.source.queue,
        `${name}: no queue mapping`,
      );
      continue;
    }
    const rule = rules.find((r) =>
      r.Targets.some((t) => t.InputTransformer?.InputTemplate.includes(`"${name}"`)),
    );
    check(
      rule && target(rule.Targets[0].Arn) === functionId,
      `consumer ${name}: no rule sends its events to ${functionId}`,
    );
  }
}
check(deployedRoutes.size === 0, `routes no unit declares: ${[...deployedRoutes.keys()].join(', ')}`);

// ---- state machines --------------------------------------------------------------------------------

const machines = ofType('AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties);
for (const workflow of Object.keys(WORKFLOW_FILES)) {
  const machine = machines.find((m) => m.StateMachineName === `tinystacks-dev-${workflow}`);
  if (!check(machine, `state machine ${workflow} is not deployed`)) continue;
  const [body, variables] = machine.DefinitionString['Fn::Sub'];
  const left = [...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]).filter((n) => !(n in variables));
  check(
    left.every((n) => n.startsWith('AWS::')),
    `${workflow}: unresolved placeholders ${left.join(', ')}`,
  );
}
check(machines.length === Object.keys(WORKFLOW_FILES).length, 'one state machine per workflow, no more');

// ---- dependency cycles -----------------------------------------------------------------------------

/** What a resource refers to: Ref, Fn::GetAtt and the ${Name} / ${Name.Attr} of Fn::Sub. */
function references(value, found = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const [text, variables = {}] = Array.isArray(inner) ? inner : [inner];
        for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g))
          if (!(m[1] in variables)) found.add(m[1].split('.')[0]);
        references(variables, found);
      } else references(inner, found);
    }
  }
  return found;
}
const state = {};
const visit = (id, path) => {
  if (state[id] === 'done') return;
  if (state[id] === 'active')
    return void failures.push(`dependency cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
  state[id] = 'active';
  const r = resources[id];
  for (const dep of [...references(r.Properties), ...[r.DependsOn ?? []].flat()])
    if (dep in resources) visit(dep, [...path, id]);
  state[id] = 'done';
};
Object.keys(resources).forEach((id) => visit(id, []));

// ---- bundles and report ----------------------------------------------------------------------------

const artifacts = readdirSync(outDir)
  .filter((f) => f.endsWith('.zip'))
  .map((f) => ({ name: f, bytes: statSync(join(outDir, f)).size }));
for (const { name, bytes } of artifacts)
  check(bytes < MAX_ARTIFACT_BYTES, `${name} is ${(bytes / 1024).toFixed(0)} KB, over the 1 MB budget`);

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

// ---- IAM proof -----------------------------------------------------------------------------------------
// Every AWS call the integration and end-to-end suites made (jest records them, see
// test/support/iam-recording.ts), each checked against its caller's role in this template.

const { proveIam, readRecords, proofReport, unnoticedRemovals } = await tsImport(
  './iam-proof.ts',
  import.meta.url,
);
const { IAM_CALLS_FOLDER } = await tsImport('../support/iam-calls.ts', import.meta.url);
const records = readRecords(IAM_CALLS_FOLDER);
if (records.length === 0) {
  check(
    !process.env.CI,
    `no AWS calls recorded in ${IAM_CALLS_FOLDER}: npm test records them while jest runs`,
  );
  if (!process.env.CI)
    console.log('IAM proof skipped: no calls recorded (run the integration and e2e suites first)');
} else {
  const proof = await proveIam(template, records);
  for (const line of proofReport(proof)) console.log(line);
  for (const failure of proof.failures) check(false, `IAM ${failure}`);
  // The proof proved: each caller's most used grant taken away must fail it.
  const { checked, unnoticed } = await unnoticedRemovals(template, records, proof);
  console.log(
    `  a used grant removed from each of ${checked} callers: ${checked - unnoticed.length} proofs fail, as they must`,
  );
  for (const removal of unnoticed) check(false, `IAM proof blind: it still passes with ${removal}`);
}

const compactKb = JSON.stringify(template).length / 1024;
console.log(`serverless package (no parameters): ${packageSeconds.toFixed(1)} s`);
console.log(
  `${resourceCount} resources (budget ${MAX_RESOURCES}; CloudFormation allows 500: room for ${500 - resourceCount} more routes), ` +
    `template ${compactKb.toFixed(0)} KB compact; ${Object.keys(UNITS).length} functions, ` +
    `${ofType('AWS::ApiGatewayV2::Route').length} routes, ${machines.length} state machines`,
);
for (const { name, bytes } of artifacts)
  console.log(`  ${name.padEnd(24)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`);
if (failures.length === 0) console.log('package check: OK');
else {
  for (const failure of failures) console.error(`✗ ${failure}`);
  console.error(`package check: ${failures.length} failure(s)`);
  process.exit(1);
}
