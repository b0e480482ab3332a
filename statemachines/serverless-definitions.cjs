/*
 * The state machines of serverless.yml (`stepFunctions.stateMachines: ${file(./statemachines/serverless-definitions.cjs):stateMachines}`):
 * one per statemachines/*.asl.json (written by `npm run generate` from src/workflows), named
 * `<service>-<stage>-<workflow>`, run by its own role (serverless/roles.json).
 *
 * The *.asl.json files are shared with the embedded runtime, which binds their placeholders to local
 * values, so they stay as they are. Here every string that is exactly `${Name}` becomes the
 * CloudFormation reference that stands for it; serverless-step-functions then turns the references
 * into an Fn::Sub around the definition. A placeholder this file does not know, or one inside a
 * longer string (which Fn::Sub would read as a variable of its own), fails the packaging.
 *
 * CommonJS because the serverless CLI require()s variable files.
 */
/* global module, require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');

/** Logical ids of the resources serverless.yml declares. */
const TABLE_ID = 'Table';
const EVENT_BUS_ID = 'EventBus';

/**
 * Every statemachines/<kebab-name>.asl.json is a workflow named <camelName> (src/domain/workflows.ts
 * lists the same files): deploy-stage.asl.json → deployStage.
 */
const WORKFLOW_FILES = Object.fromEntries(
  fs
    .readdirSync(__dirname)
    .filter((file) => file.endsWith('.asl.json'))
    .sort()
    .map((file) => [file.replace('.asl.json', '').replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()), file]),
);

const EXACT_PLACEHOLDER = /^\$\{([A-Za-z0-9]+)\}$/;
/** `${TasksFunctionArn}`: the function of a unit (src/deploy/units.ts), serverless' `<Unit>LambdaFunction`. */
const FUNCTION_ARN = /^([A-Za-z0-9]+)FunctionArn$/;
/** `${DeployStageStateMachineArn}`: a workflow that starts another (states:startExecution.sync:2). */
const STATE_MACHINE_ARN = /^([A-Za-z0-9]+)StateMachineArn$/;

function reference(name, file) {
  if (name === 'TableName') return { Ref: TABLE_ID };
  if (name === 'EventBusName') return { Ref: EVENT_BUS_ID };
  const unit = FUNCTION_ARN.exec(name);
  if (unit) return { 'Fn::GetAtt': [`${unit[1]}LambdaFunction`, 'Arn'] };
  const machine = STATE_MACHINE_ARN.exec(name);
  if (machine) return { Ref: `${machine[1]}StateMachine` };
  throw new Error(`${file}: no value for the placeholder \${${name}}`);
}

function resolvePlaceholders(node, file) {
  if (typeof node === 'string') {
    const exact = EXACT_PLACEHOLDER.exec(node);
    if (exact) return reference(exact[1], file);
    if (node.includes('${')) throw new Error(`${file}: "${node}" embeds a placeholder in a longer string`);
    return node;
  }
  if (Array.isArray(node)) return node.map((item) => resolvePlaceholders(item, file));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, resolvePlaceholders(value, file)]),
    );
  }
  return node;
}

function load(workflow) {
  const file = WORKFLOW_FILES[workflow];
  const asl = JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
  return resolvePlaceholders(asl, file);
}

const pascal = (name) => `${name[0].toUpperCase()}${name.slice(1)}`;

/** serverless-step-functions' settings for every workflow. */
async function stateMachines({ resolveConfigurationProperty, resolveVariable }) {
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  return Object.fromEntries(
    Object.keys(WORKFLOW_FILES).map((workflow) => [
      workflow,
      {
        // A fixed name, so that the functions can build its ARN without depending on it (a cycle:
        // the state machine depends on its task functions).
        name: `${service}-${stage}-${workflow}`,
        id: `${pascal(workflow)}StateMachine`,
        role: { 'Fn::GetAtt': [stateMachineRoleId(workflow), 'Arn'] },
        definition: load(workflow),
      },
    ]),
  );
}

/** Logical id of the role serverless/roles.json gives a workflow's state machine (src/generate/serverless.ts). */
const stateMachineRoleId = (workflow) => `${pascal(workflow)}StateMachineRole`;

module.exports = { stateMachines };
