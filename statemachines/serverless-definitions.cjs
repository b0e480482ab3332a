/*
 * The state machines of serverless.yml (`stepFunctions.stateMachines: ${file(./statemachines/serverless-definitions.cjs):stateMachines}`):
 * one per statemachines/*.asl.json, named `<service>-<stage>-<workflow>`, run by its own role
 * (serverless/roles.cjs).
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

/** `serverless.yml` function key of the Lambda that runs a task: RenderStageTemplate → renderStageTemplateTask. */
const taskFunctionKey = (taskName) => `${taskName[0].toLowerCase()}${taskName.slice(1)}Task`;

/** serverless' own naming for a function's resource: renderStageTemplateTask → RenderStageTemplateTaskLambdaFunction. */
const lambdaLogicalId = (functionKey) =>
  `${functionKey[0].toUpperCase()}${functionKey.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LambdaFunction`;

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
const FUNCTION_ARN = /^([A-Za-z0-9]+)FunctionArn$/;
/** `${DeployStageStateMachineArn}`: a workflow that starts another (states:startExecution.sync:2). */
const STATE_MACHINE_ARN = /^([A-Za-z0-9]+)StateMachineArn$/;

function reference(name, file) {
  if (name === 'TableName') return { Ref: TABLE_ID };
  if (name === 'EventBusName') return { Ref: EVENT_BUS_ID };
  const task = FUNCTION_ARN.exec(name);
  if (task) return { 'Fn::GetAtt': [lambdaLogicalId(taskFunctionKey(task[1])), 'Arn'] };
  const machine = STATE_MACHINE_ARN.exec(name);
  if (machine) return { Ref: `${machine[1]}StateMachine` };
  throw new Error(`${file}: no value for the placeholder \${${name}}`);
}

function resolvePlaceholders(node, file, found) {
  if (typeof node === 'string') {
    const exact = EXACT_PLACEHOLDER.exec(node);
    if (exact) {
      found.add(exact[1]);
      return reference(exact[1], file);
    }
    if (node.includes('${')) throw new Error(`${file}: "${node}" embeds a placeholder in a longer string`);
    return node;
  }
  if (Array.isArray(node)) return node.map((item) => resolvePlaceholders(item, file, found));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, resolvePlaceholders(value, file, found)]),
    );
  }
  return node;
}

function load(workflow) {
  const file = WORKFLOW_FILES[workflow];
  const asl = JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
  const found = new Set();
  const definition = resolvePlaceholders(asl, file, found);
  return { definition, placeholders: [...found].sort() };
}

/** The task names whose functions a workflow invokes, e.g. ['CreateStack', ...]. */
function taskNames(workflow) {
  return load(workflow)
    .placeholders.map((name) => FUNCTION_ARN.exec(name))
    .filter(Boolean)
    .map((match) => match[1]);
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
        definition: load(workflow).definition,
      },
    ]),
  );
}

/** Logical id of the role serverless/roles.cjs gives a workflow's state machine. */
const stateMachineRoleId = (workflow) => `${pascal(workflow)}StateMachineRole`;

/** The workflows a workflow starts as children, e.g. pipelineRun → ['deployStage']. */
function childWorkflows(workflow) {
  return load(workflow)
    .placeholders.map((name) => STATE_MACHINE_ARN.exec(name))
    .filter(Boolean)
    .map((match) => `${match[1][0].toLowerCase()}${match[1].slice(1)}`);
}

module.exports = {
  stateMachines,
  childWorkflows,
  workflows: Object.keys(WORKFLOW_FILES),
  stateMachineRoleId,
  taskNames,
  taskFunctionKey,
  lambdaLogicalId,
  TABLE_ID,
  EVENT_BUS_ID,
};
