import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import type { TaskDelivery } from '../cloud/errors';
import type { StartedExecution, WorkflowPort } from '../cloud/ports';
import { WORKFLOW_FILES, type WorkflowName } from '../domain/workflows';
import { errorFields, log } from '../log';

/** What a Task state's resource does on the embedded runtime, given the state's effective input. */
export type LocalTaskBinding = (resource: string, parameters: Record<string, unknown>) => Promise<unknown>;

export interface LocalExecution {
  executionArn: string;
  workflow: WorkflowName;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** States entered, which is what Step Functions bills as state transitions. */
  stateTransitions: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

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
  States?: Record<string, TaskState>;
  Branches?: { States: Record<string, TaskState> }[];
}

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

  constructor(
    private readonly bind: LocalTaskBinding,
    substitutions: Record<string, string>,
    private readonly options: {
      tokenTimeoutSeconds?: number;
      /** Like EventBridge's "Step Functions Execution Status Change" for executions that fail. */
      onExecutionFailed?: (detail: {
        executionArn: string;
        status: string;
        input: string;
        error: string;
        cause: string;
      }) => void;
    } = {},
    private readonly region = 'local',
    private readonly account = '000000000000',
  ) {
    for (const [workflow, file] of Object.entries(WORKFLOW_FILES) as [WorkflowName, string][]) {
      const definition = loadDefinition(file, substitutions);
      const taskStates: Record<string, TaskState> = {};
      for (const [name, state] of Object.entries(definition.States)) {
        if (state.Type !== 'Task') continue;
        // Tests shorten the waits on task tokens to exercise the timeout fallbacks in seconds.
        if (options.tokenTimeoutSeconds && state.Resource?.endsWith('.waitForTaskToken')) {
          state.TimeoutSeconds = options.tokenTimeoutSeconds;
        }
        taskStates[name] = state;
      }
      this.machines.set(workflow, {
        machine: new StateMachine(definition as never, { validationOptions: { checkArn: false } }),
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
      stateTransitions: 0,
      startedAt: new Date().toISOString(),
    };
    this.executions.set(executionArn, record);

    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(entry.taskStates).map(([stateName, state]) => [
        stateName,
        (parameters: unknown) => this.runTask(state, parameters as Record<string, unknown>) as Promise<never>,
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
    const execution = entry.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers },
      context,
    });
    const counting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') record.stateTransitions += 1;
      }
    })();
    const done = execution.result
      .then(() => {
        record.status = 'SUCCEEDED';
      })
      .catch((error: unknown) => {
        record.status = 'FAILED';
        record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        this.options.onExecutionFailed?.({
          executionArn,
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
    const waitsForToken = resource.endsWith('.waitForTaskToken');
    const token = waitsForToken ? findToken(parameters, this.tokens) : undefined;
    const settled = token ? this.awaitToken(token, state.TimeoutSeconds ?? 60) : undefined;
    try {
      const result = await this.bind(resource.replace(/\.waitForTaskToken$/, ''), parameters);
      return settled ? await settled : result;
    } catch (error) {
      if (token) this.tokens.delete(token);
      throw asStatesError(error);
    }
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
