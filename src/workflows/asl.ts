/**
 * Small builders for Amazon States Language: every workflow in src/workflows is written with them,
 * and `npm run generate` writes statemachines/*.asl.json from the result. What every state of a kind
 * repeats (its integration's resource, timeout and retry policy, the catch-all into the failure path,
 * how a key or a payload is written) is written here once.
 */
import { taskFunctions, type TaskInput, type TaskName, type TaskOutput } from '../tasks/registry';

const PATH = Symbol('path');
declare const TYPE: unique symbol;

/** A JSONPath or intrinsic function that yields a `T` at run time. */
export interface Expr<T = unknown> {
  readonly [PATH]: string;
  readonly [TYPE]?: T;
}

/** Typed JSONPath: `$.target.region` is a `Path<string>` when the state's type says so. */
export type Path<T> = Expr<T> &
  (NonNullable<T> extends readonly unknown[]
    ? unknown
    : NonNullable<T> extends object
      ? { readonly [K in keyof NonNullable<T>]-?: Path<NonNullable<T>[K]> }
      : unknown);

function path<T>(text: string): Path<T> {
  return new Proxy({} as Path<T>, {
    get: (_target, key) =>
      key === PATH ? text : typeof key === 'symbol' || key === 'then' ? undefined : path(`${text}.${key}`),
  });
}

export const isExpr = (value: unknown): value is Expr =>
  typeof value === 'object' && value !== null && (value as Expr)[PATH] !== undefined;

export const jsonPath = (expr: Expr): string => expr[PATH];

/** The state's data (`$`), typed as the workflow's state. */
export const stateOf = <T>(): Path<T> => path<T>('$');

/** The context object: the task token of a `.waitForTaskToken` task, when the state was entered. */
export const context = {
  taskToken: path<string>('$$.Task.Token'),
  enteredTime: path<string>('$$.State.EnteredTime'),
};

/** `States.Format('…{}…', a, b)`. */
export function format(template: string, ...args: Expr[]): Expr<string> {
  return path<string>(`States.Format('${template}', ${args.map(jsonPath).join(', ')})`);
}

/** A value written as is, or read from the state (the key gets its `.$`). */
export type Value<T> = T | Expr<T>;

/** Parameters as ASL writes them: `"field.$": "<path>"` for what is read, the rest as is. */
export function fields(values: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      if (isExpr(value)) return [`${key}.$`, jsonPath(value)];
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [key, fields(value)];
      return [key, value];
    }),
  );
}

// ---- retry policies and catchers -----------------------------------------------------------------

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
}

/** The transient errors of each integration, retried with backoff; `Throttled` is our own (src/cloud/aws). */
export const RETRY = {
  dynamodb: {
    ErrorEquals: [
      'DynamoDB.ProvisionedThroughputExceededException',
      'DynamoDB.ThrottlingException',
      'DynamoDB.InternalServerErrorException',
      'DynamoDB.RequestLimitExceeded',
    ],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
  },
  events: {
    ErrorEquals: ['EventBridge.InternalException', 'EventBridge.ThrottlingException', 'States.TaskFailed'],
    IntervalSeconds: 1,
    MaxAttempts: 4,
    BackoffRate: 2,
  },
  lambda: {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Throttled',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
  },
  stepFunctions: {
    ErrorEquals: [
      'StepFunctions.SdkClientException',
      'StepFunctions.ExecutionLimitExceededException',
      'StepFunctions.AWSStepFunctionsException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
  },
} satisfies Record<string, Retrier>;

export interface Catcher {
  ErrorEquals: string[];
  ResultPath: string | null;
  Next: string;
}

/** Every workflow's failure path starts here: it records the error, unlocks, emits the FAILED events. */
export const FAILURE_PATH = 'RecordFailure';

/** Where a caught error is kept for the failure path. */
const ERROR = path<unknown>('$.error');

/** Errors (by name) that go to `next`, with the error put at `resultPath` (null: dropped). */
export function catchInto(next: string, resultPath: Expr | null = ERROR, errors = ['States.ALL']): Catcher {
  return { ErrorEquals: errors, ResultPath: resultPath === null ? null : jsonPath(resultPath), Next: next };
}

/** One error name caught into `next`. */
export const on = (error: string, resultPath: Expr | null, next: string) =>
  catchInto(next, resultPath, [error]);

// ---- states --------------------------------------------------------------------------------------

export type State = Record<string, unknown>;

interface Flow {
  next?: string;
  end?: true;
  comment?: string;
}

interface TaskOptions extends Flow {
  /** Seconds; each integration has its default. */
  timeout?: number;
  timeoutPath?: Expr<number>;
  retry?: Retrier[];
  /** Where the result goes; null drops it (the default). */
  resultPath?: Expr | null;
  /** Default: everything into the failure path; `false` on the failure path itself. */
  catch?: Catcher[] | false;
}

function task(
  resource: string,
  parameters: Record<string, unknown>,
  defaults: { timeout: number; retry: Retrier },
  options: TaskOptions,
  resultSelector?: Record<string, unknown>,
): State {
  return {
    Type: 'Task',
    ...(options.comment ? { Comment: options.comment } : {}),
    Resource: resource,
    Parameters: parameters,
    ...(options.timeoutPath
      ? { TimeoutSecondsPath: jsonPath(options.timeoutPath) }
      : { TimeoutSeconds: options.timeout ?? defaults.timeout }),
    Retry: options.retry ?? [defaults.retry],
    ...(resultSelector ? { ResultSelector: resultSelector } : {}),
    ResultPath: options.resultPath ? jsonPath(options.resultPath) : null,
    ...(options.catch === false ? {} : { Catch: options.catch ?? [catchInto(FAILURE_PATH)] }),
    ...flow(options),
  };
}

const flow = (options: Flow) => (options.end ? { End: true } : { Next: options.next });

/** What a task's input may be given: each field read from the state or written as is. */
export type Payload<I> = { [K in keyof I]: Value<I[K]> };

interface LambdaOptions<N extends TaskName> extends TaskOptions {
  /**
   * What of the function's result to keep at `resultPath`: the fields named, or a selector built
   * from the result's typed paths. Without it the whole result is dropped.
   */
  result?: (keyof TaskOutput<N>)[] | ((output: Path<TaskOutput<N>>) => Record<string, unknown>);
}

function lambdaResult<N extends TaskName>(options: LambdaOptions<N>) {
  const output = path<TaskOutput<N>>('$.Payload');
  if (Array.isArray(options.result))
    return fields(Object.fromEntries(options.result.map((key) => [key, output[key as keyof typeof output]])));
  return options.result ? fields(options.result(output)) : undefined;
}

/**
 * How a Task state calls a task function: its unit's function (`${<Unit>FunctionArn}`, bound on
 * deploy and by the embedded runtime), with the task's name in the payload beside its input.
 */
function invoke(name: TaskName, payload: object) {
  const unit = taskFunctions[name].unit;
  return {
    FunctionName: `\${${unit[0]!.toUpperCase()}${unit.slice(1)}FunctionArn}`,
    Payload: { task: name, ...fields(payload) },
  };
}

/** A task function (src/tasks/registry.ts), called with a payload typed as its input. */
export function lambdaTask<N extends TaskName>(
  name: N,
  payload: Payload<TaskInput<N>>,
  options: LambdaOptions<N>,
): State {
  return task(
    'arn:aws:states:::lambda:invoke',
    invoke(name, payload),
    { timeout: 60, retry: RETRY.lambda },
    options,
    lambdaResult(options),
  );
}

/**
 * A task function that parks the task token (the payload's `taskToken`) and returns; the workflow
 * waits until something answers the token, or `timeout` passes.
 */
export function waitForToken<N extends TaskName>(
  name: N,
  payload: Payload<Omit<TaskInput<N>, 'taskToken'>>,
  options: LambdaOptions<N> & ({ timeout: number } | { timeoutPath: Expr<number> }),
): State {
  return task(
    'arn:aws:states:::lambda:invoke.waitForTaskToken',
    invoke(name, { taskToken: context.taskToken, ...payload }),
    { timeout: 0, retry: RETRY.lambda },
    options,
    lambdaResult(options),
  );
}

/** A DynamoDB attribute value: a string, written as is or read from the state. */
export const S = (value: Value<string>) => (isExpr(value) ? { 'S.$': jsonPath(value) } : { S: value });
export const N = (value: number) => ({ N: String(value) });

/**
 * An item's key, from the same function the store uses (src/store/keys.ts): each part that holds an
 * argument becomes `States.Format` over the argument's path.
 */
export function itemKey<A extends string[]>(
  key: (...parts: A) => Record<string, string>,
  ...args: { [I in keyof A]: Expr<string> }
): Record<string, unknown> {
  const marker = (i: number) => `«${i}»`;
  const parts = key(...(args.map((_arg, i) => marker(i)) as A));
  return Object.fromEntries(
    Object.entries(parts).map(([attribute, text]) => {
      const used = [...text.matchAll(/«(\d+)»/g)].map((m) => args[Number(m[1])] as Expr<string>);
      if (used.length === 0) return [attribute, S(text)];
      if (used.length === 1 && text === marker(args.indexOf(used[0]!))) return [attribute, S(used[0]!)];
      return [attribute, S(format(text.replace(/«\d+»/g, '{}'), ...used))];
    }),
  );
}

interface PutOptions extends TaskOptions {
  condition?: string;
}

export function putItem(item: Record<string, unknown>, options: PutOptions): State {
  return task(
    'arn:aws:states:::dynamodb:putItem',
    {
      TableName: '${TableName}',
      Item: item,
      ...(options.condition ? { ConditionExpression: options.condition } : {}),
    },
    { timeout: 20, retry: RETRY.dynamodb },
    options,
  );
}

interface UpdateOptions extends TaskOptions {
  update: string;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export function updateItem(key: Record<string, unknown>, options: UpdateOptions): State {
  return task(
    'arn:aws:states:::dynamodb:updateItem',
    {
      TableName: '${TableName}',
      Key: key,
      UpdateExpression: options.update,
      ...(options.condition ? { ConditionExpression: options.condition } : {}),
      ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
      ...(options.values ? { ExpressionAttributeValues: options.values } : {}),
    },
    { timeout: 20, retry: RETRY.dynamodb },
    options,
  );
}

/** One status event on the platform's bus (README "Events"): ids, statuses and reasons only. */
export interface BusEvent {
  detailType: string;
  detail: Record<string, Value<unknown>>;
}

export const event = (detailType: string, detail: Record<string, Value<unknown>>): BusEvent => ({
  detailType,
  detail,
});

/** Puts status events on the platform's bus, straight from the state machine. */
export function emitEvents(events: BusEvent[], options: TaskOptions): State {
  return task(
    'arn:aws:states:::events:putEvents',
    {
      Entries: events.map((e) => ({
        EventBusName: '${EventBusName}',
        Source: 'tinystacks',
        DetailType: e.detailType,
        Detail: fields(e.detail),
      })),
    },
    { timeout: 20, retry: RETRY.events },
    options,
  );
}

/** Runs another workflow as a child and waits for it (`startExecution.sync:2`). */
export function runWorkflow(
  stateMachineArnPlaceholder: string,
  parameters: { name: Expr<string>; input: Expr<unknown> },
  options: TaskOptions & { timeout: number },
): State {
  return task(
    'arn:aws:states:::states:startExecution.sync:2',
    fields({
      StateMachineArn: `\${${stateMachineArnPlaceholder}}`,
      Name: parameters.name,
      Input: parameters.input,
    }),
    { timeout: 0, retry: RETRY.stepFunctions },
    options,
  );
}

export function pass(
  parameters: Record<string, Value<unknown>>,
  options: Flow & { resultPath: Expr },
): State {
  return {
    Type: 'Pass',
    Parameters: fields(parameters),
    ResultPath: jsonPath(options.resultPath),
    ...flow(options),
  };
}

/** A Choice rule: `Variable` compared by one ASL operator (`StringEquals`, `BooleanEquals`, …). */
export type Condition = Record<string, unknown>;

export function is(variable: Expr, operator: string, value: unknown): Condition {
  return { Variable: jsonPath(variable), [operator]: value };
}

export const or = (...conditions: Condition[]): Condition => ({ Or: conditions });

export const when = (condition: Condition, next: string) => ({ ...condition, Next: next });

export function choice(choices: Condition[], otherwise: string): State {
  return { Type: 'Choice', Choices: choices, Default: otherwise };
}

export const fail = (error: string, cause: string): State => ({ Type: 'Fail', Error: error, Cause: cause });

export const succeed = (comment: string): State => ({ Type: 'Succeed', Comment: comment });

export interface Workflow {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

/** A state machine: it starts at its first state. */
export function workflow(definition: {
  comment: string;
  timeoutSeconds?: number;
  states: Record<string, State>;
}): Workflow {
  return {
    Comment: definition.comment,
    StartAt: Object.keys(definition.states)[0]!,
    ...(definition.timeoutSeconds ? { TimeoutSeconds: definition.timeoutSeconds } : {}),
    States: definition.states,
  };
}
