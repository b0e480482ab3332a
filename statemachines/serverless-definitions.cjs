/*
 * Loads the state machine definitions for serverless.yml (`${file(./statemachines/serverless-definitions.cjs):deployStage}`).
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

const WORKFLOW_FILES = {
  deployStage: 'deploy-stage.asl.json',
  deleteStage: 'delete-stage.asl.json',
};

const EXACT_PLACEHOLDER = /^\$\{([A-Za-z0-9]+)\}$/;
const FUNCTION_ARN = /^([A-Za-z0-9]+)FunctionArn$/;

function reference(name, file) {
  if (name === 'TableName') return { Ref: TABLE_ID };
  if (name === 'EventBusName') return { Ref: EVENT_BUS_ID };
  const task = FUNCTION_ARN.exec(name);
  if (task) return { 'Fn::GetAtt': [lambdaLogicalId(taskFunctionKey(task[1])), 'Arn'] };
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

module.exports = {
  deployStage: () => load('deployStage').definition,
  deleteStage: () => load('deleteStage').definition,
  workflows: Object.keys(WORKFLOW_FILES),
  taskNames,
  taskFunctionKey,
  lambdaLogicalId,
  TABLE_ID,
  EVENT_BUS_ID,
};
