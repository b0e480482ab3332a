import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import type { TaskDelivery } from '../cloud/errors';
import type { StartedExecution, WorkflowPort } from '../cloud/ports';
import { WORKFLOW_FILES, type WorkflowName } from '../domain/workflows';
import { errorFields, log } from '../log';
import { iam } from './iam-recorder';

/** What a Task state's resource does on the embedded runtime, given the state's effective input. */
export type LocalTaskBinding = (resource: string, parameters: Record<string, unknown>) => Promise<unknown>;

export interface LocalExecution {
  executionArn: string;
  workflow: WorkflowName;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** The tenant the execution works for (every workflow's input names it). */
  tenantId?: string;
  /** States entered, which is what Step Functions bills as state transitions. */
  stateTransitions: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

const tenantOfInput = (input: unknown) => {
  const tenantId = (input as { tenantId?: unknown } | null)?.tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
};

interface PendingToken {
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  settled: boolean;
}

interface TaskState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  States?: Record<string, TaskState>;
  Branches?: { States: Record<string, TaskState> }[];
}

/** A state machine's ARN on the embedded runtime: named after its workflow. */
export const localStateMachineArn = (workflow: WorkflowName, region = 'local', account = '000000000000') =>
  `arn:aws:states:${region}:${account}:stateMachine:${workflow}`;

/** Loads an ASL file and fills its `${Name}` placeholders, as serverless.yml does on deploy. */
export function loadDefinition(file: string, substitutions: Record<string, string>) {
  const text = readFileSync(new URL(`../../statemachines/${file}`, import.meta.url), 'utf8');
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const match = /^\$\{(\w+)\}$/.exec(value);
    if (!match) return value;
    const replacement = substitutions[match[1]!];
    if (replacement === undefined) throw new Error(`${file}: no local value for placeholder ${value}`);
    return replacement;
  }) as { States: Record<string, TaskState> };
}

/**
 * Step Functions on one machine: the same ASL files, run by aws-local-stepfunctions, with every
 * Task state bound to a local implementation of its resource. The library does not issue task
 * tokens, so this class does: each read of $$.Task.Token mints one, and the Task waits until
 * sendTaskSuccess/Failure settles it (or the state's TimeoutSeconds passes).
 */
export class LocalWorkflows implements WorkflowPort {
  private readonly machines = new Map<
    WorkflowName,
    { machine: StateMachine; taskStates: Record<string, TaskState> }
  >();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly running = new Set<Promise<unknown>>();
  /** How each execution ended, for parents waiting with states:startExecution.sync. */
  private readonly outcomes = new Map<string, Promise<{ status: string; output?: unknown; error?: Error }>>();

  constructor(
    private readonly bind: LocalTaskBinding,
    substitutions: Record<string, string>,
    private readonly options: {
      tokenTimeoutSeconds?: number;
      /** Like EventBridge's "Step Functions Execution Status Change" for executions that fail. */
      onExecutionFailed?: (detail: {
        executionArn: string;
        stateMachineArn: string;
        status: string;
        input: string;
        error: string;
        cause: string;
      }) => void;
    } = {},
    private readonly region = 'local',
    private readonly account = '000000000000',
  ) {
    // A workflow that starts another names it by ARN: ${DeployStageStateMachineArn}.
    const withMachines = { ...substitutions };
    for (const workflow of Object.keys(WORKFLOW_FILES) as WorkflowName[])
      withMachines[`${workflow[0]!.toUpperCase()}${workflow.slice(1)}StateMachineArn`] ??=
        localStateMachineArn(workflow, region, account);
    for (const [workflow, file] of Object.entries(WORKFLOW_FILES) as [WorkflowName, string][]) {
      const definition = loadDefinition(file, withMachines);
      const taskStates: Record<string, TaskState> = {};
      for (const [name, state] of Object.entries(definition.States)) {
        if (state.Type !== 'Task') continue;
        // Tests shorten the waits on task tokens to exercise the timeout fallbacks in seconds.
        if (options.tokenTimeoutSeconds && state.Resource?.endsWith('.waitForTaskToken')) {
          state.TimeoutSeconds = options.tokenTimeoutSeconds;
          delete state.TimeoutSecondsPath;
        }
        // Step Functions reads TimeoutSecondsPath from the state's input; aws-local-stepfunctions from
        // its effective parameters. The payload carries the same path, so point the library there.
        if (state.TimeoutSecondsPath) {
          const payload = (state.Parameters?.Payload ?? {}) as Record<string, unknown>;
          const key = Object.keys(payload).find(
            (k) => k.endsWith('.$') && payload[k] === state.TimeoutSecondsPath,
          );
          if (!key)
            throw new Error(
              `${file}: ${name} has TimeoutSecondsPath but no payload field with the same path`,
            );
          state.TimeoutSecondsPath = `$.Payload.${key.slice(0, -2)}`;
        }
        taskStates[name] = state;
      }
      this.machines.set(workflow, {
        // Not validated here (~250 ms of ajv each): test/unit/statemachines.test.ts and packaging do it.
        machine: new StateMachine(definition as never, {
          validationOptions: { checkArn: false, noValidate: true },
        }),
        taskStates,
      });
    }
  }

  async start(workflow: WorkflowName, executionName: string, input: unknown): Promise<StartedExecution> {
    const executionArn = `arn:aws:states:${this.region}:${this.account}:execution:${workflow}:${executionName}`;
    if (this.executions.has(executionArn)) return { executionArn, alreadyStarted: true };
    const entry = this.machines.get(workflow);
    if (!entry) throw new Error(`unknown workflow ${workflow}`);
    const record: LocalExecution = {
      executionArn,
      workflow,
      name: executionName,
      status: 'RUNNING',
      tenantId: tenantOfInput(input),
      stateTransitions: 0,
      startedAt: new Date().toISOString(),
    };
    this.executions.set(executionArn, record);

    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(entry.taskStates).map(([stateName, state]) => [
        stateName,
        (parameters: unknown) =>
          iam.task(workflow, stateName, parameters as Record<string, unknown>, () =>
            this.runTask(state, parameters as Record<string, unknown>),
          ) as Promise<never>,
      ]),
    );
    const tokens = this.tokens;
    const context = {
      Execution: { Id: executionArn, Name: executionName },
      StateMachine: { Name: workflow },
      // Getters: the library shares one context object for the whole run.
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
      Task: {
        get Token() {
          const token = randomBytes(32).toString('base64url');
          tokens.set(token, { resolve: () => {}, reject: () => {}, settled: false });
          return token;
        },
      },
    };
    const execution = iam.stateMachine(workflow, () =>
      entry.machine.run(input as never, { overrides: { taskResourceLocalHandlers }, context }),
    );
    const counting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') record.stateTransitions += 1;
      }
    })();
    let settle!: (outcome: { status: string; output?: unknown; error?: Error }) => void;
    this.outcomes.set(executionArn, new Promise((resolve) => (settle = resolve)));
    const done = execution.result
      .then((output: unknown) => {
        record.status = 'SUCCEEDED';
        settle({ status: 'SUCCEEDED', output });
      })
      .catch((error: unknown) => {
        record.status = 'FAILED';
        record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        settle({ status: 'FAILED', error: error instanceof Error ? error : new Error(String(error)) });
        this.options.onExecutionFailed?.({
          executionArn,
          stateMachineArn: localStateMachineArn(workflow, this.region, this.account),
          status: 'FAILED',
          input: JSON.stringify(input),
          error: error instanceof Error ? error.name : 'Error',
          cause: error instanceof Error ? error.message : String(error),
        });
      })
      .then(() => counting)
      .finally(() => {
        record.endedAt = new Date().toISOString();
        this.running.delete(done);
      });
    this.running.add(done);
    return { executionArn, alreadyStarted: false };
  }

  private async runTask(state: TaskState, parameters: Record<string, unknown>): Promise<unknown> {
    const resource = state.Resource ?? '';
    const child = /^arn:aws:states:::states:startExecution(\.sync(?::2)?)?$/.exec(resource);
    if (child) return this.startChild(parameters, child[1] !== undefined);
    const waitsForToken = resource.endsWith('.waitForTaskToken');
    const token = waitsForToken ? findToken(parameters, this.tokens) : undefined;
    const timeoutSeconds = state.TimeoutSeconds ?? tokenTimeoutOf(state, parameters) ?? 60;
    const settled = token ? this.awaitToken(token, timeoutSeconds) : undefined;
    let result: unknown;
    try {
      result = await this.bind(resource.replace(/\.waitForTaskToken$/, ''), parameters);
    } catch (error) {
      if (token) this.tokens.delete(token);
      throw asStatesError(error);
    }
    // SendTaskFailure's error and cause reach the Catch as they were sent.
    return settled ? await settled : result;
  }

  /**
   * The states:startExecution integration: a child execution of another workflow. With `.sync`,
   * the task waits for it and fails with States.TaskFailed (its cause the child's description) when
   * the child fails, as Step Functions does; `.sync:2` returns the child's output as JSON.
   */
  private async startChild(parameters: Record<string, unknown>, sync: boolean): Promise<unknown> {
    const arn = String(parameters.StateMachineArn);
    const workflow = /:stateMachine:(\w+)$/.exec(arn)?.[1] as WorkflowName | undefined;
    if (!workflow || !this.machines.has(workflow)) throw new Error(`no local state machine ${arn}`);
    const name = typeof parameters.Name === 'string' ? parameters.Name : randomBytes(16).toString('hex');
    const input =
      typeof parameters.Input === 'string'
        ? (JSON.parse(parameters.Input) as unknown)
        : (parameters.Input ?? {});
    const started = await this.start(workflow, name, input);
    if (!sync) return { ExecutionArn: started.executionArn, StartDate: new Date().toISOString() };
    const outcome = await this.outcomes.get(started.executionArn)!;
    if (outcome.status === 'SUCCEEDED')
      return { ExecutionArn: started.executionArn, Status: 'SUCCEEDED', Output: outcome.output };
    const failure = new Error(
      JSON.stringify({
        ExecutionArn: started.executionArn,
        Status: 'FAILED',
        Error: outcome.error?.name,
        Cause: outcome.error?.message,
      }),
    );
    failure.name = 'States.TaskFailed';
    throw failure;
  }

  /** The library times the Task out itself; the token is forgotten then too, so a late send is 'gone'. */
  private awaitToken(token: string, timeoutSeconds: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.tokens.delete(token), timeoutSeconds * 1000);
      timer.unref();
      const clear =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          fn(value);
        };
      this.tokens.set(token, { resolve: clear(resolve), reject: clear(reject), settled: false });
    });
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<TaskDelivery> {
    return this.settle(taskToken, (pending) => pending.resolve(output));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<TaskDelivery> {
    return this.settle(taskToken, (pending) => {
      const failure = new Error(cause);
      failure.name = error;
      pending.reject(failure);
    });
  }

  private settle(taskToken: string, apply: (pending: PendingToken) => void): TaskDelivery {
    const pending = this.tokens.get(taskToken);
    if (!pending || pending.settled) return 'gone';
    pending.settled = true;
    this.tokens.delete(taskToken);
    apply(pending);
    return 'delivered';
  }

  execution(executionArnOrName: string): LocalExecution | undefined {
    return (
      this.executions.get(executionArnOrName) ??
      [...this.executions.values()].find((e) => e.name === executionArnOrName)
    );
  }

  /** Resolves when every execution started so far has ended (tests, clean shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** A TimeoutSecondsPath task's timeout, read where the constructor pointed the library. */
function tokenTimeoutOf(state: TaskState, parameters: Record<string, unknown>): number | undefined {
  const key = /^\$\.Payload\.(\w+)$/.exec(state.TimeoutSecondsPath ?? '')?.[1];
  const value = key ? (parameters.Payload as Record<string, unknown> | undefined)?.[key] : undefined;
  return typeof value === 'number' ? value : undefined;
}

function findToken(
  parameters: Record<string, unknown>,
  tokens: Map<string, PendingToken>,
): string | undefined {
  const payload = (parameters.Payload ?? parameters) as Record<string, unknown>;
  const token = payload.taskToken;
  return typeof token === 'string' && tokens.has(token) ? token : undefined;
}

/** Shapes a task error like Step Functions reports a Lambda error: Error = type, Cause = JSON. */
function asStatesError(error: unknown): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  if (source.name.startsWith('States.')) return source;
  const shaped = new Error(JSON.stringify({ errorType: source.name, errorMessage: source.message }));
  shaped.name = source.name;
  log.debug('local task failed', errorFields(source));
  return shaped;
}
