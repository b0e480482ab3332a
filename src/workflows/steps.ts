/**
 * The pieces several workflows share: an operation's RUNNING and SUCCEEDED marks, its failure path,
 * and a change to a CloudFormation stack waited on without polling (README "Waiting on
 * CloudFormation without polling"). Each returns named states, spread into a workflow's `states`.
 */
import type { StackDescription } from '../cloud/ports';
import type { StageOperationInput } from '../domain/workflow-input';
import { keys } from '../store/keys';
import {
  catchInto,
  choice,
  context,
  emitEvents,
  event,
  fail,
  FAILURE_PATH,
  is,
  itemKey,
  lambdaTask,
  N,
  on,
  or,
  pass,
  putItem,
  S,
  stateOf,
  updateItem,
  waitForToken,
  when,
  type BusEvent,
  type Expr,
  type Path,
  type State,
  type Value,
} from './asl';
import type { TaskOutput } from '../tasks/registry';
import type { CaughtError, DatabaseState } from './state';

/** What every operation's workflow has in its state (a stage's, a database's, a bastion's). */
const $ = stateOf<
  StageOperationInput & {
    rendered: TaskOutput<'RenderStageTemplate'>;
    stack: StackDescription;
    stackOutcome: unknown;
    error: CaughtError;
    failure: { reason: string; stageStatus: string; deploymentStatus: string };
  }
>();

export const operationEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Operation Status Change', {
    tenantId: $.tenantId,
    operationId: $.operationId,
    stackId: $.stackId,
    stageName: $.stageName,
    type: $.operationType,
    status,
    ...extra,
  });

/** An operation on the stack itself (DELETE_STACK): no stage. */
export const stackOperationEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Operation Status Change', {
    tenantId: $.tenantId,
    operationId: $.operationId,
    stackId: $.stackId,
    type: $.operationType,
    status,
    ...extra,
  });

type OperationEvent = typeof operationEvent;

export const stageEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Stage Status Change', {
    tenantId: $.tenantId,
    stackId: $.stackId,
    stageName: $.stageName,
    operationId: $.operationId,
    status,
    ...extra,
  });

/**
 * The operation's deployment of the stage (src/domain/deployment.ts): IN_PROGRESS once its workflow
 * runs, then SUCCEEDED, FAILED or ROLLED_BACK (with the reason).
 */
export const deploymentEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Deployment Status Change', {
    tenantId: $.tenantId,
    stackId: $.stackId,
    stageName: $.stageName,
    deploymentId: $.deploymentId,
    operationId: $.operationId,
    operationType: $.operationType,
    status,
    ...extra,
  });

/** The stage is ACTIVE again, at the URL its stack reports. */
export const stageActive = () => stageEvent('ACTIVE', { url: $.stack.outputs.StageUrl });

/** A database's workflows: the engine is always there. */
const $db = stateOf<DatabaseState>();

/** The database an operation works on, as the database tasks take it. */
export const databaseRef = {
  tenantId: $db.tenantId,
  stackId: $db.stackId,
  stageName: $db.stageName,
  operationId: $db.operationId,
  engine: $db.engine,
};

export const databaseEvent = (status: Value<string>, extra: Record<string, Value<unknown>> = {}) =>
  event('Database Status Change', {
    tenantId: $.tenantId,
    stackId: $.stackId,
    stageName: $.stageName,
    operationId: $.operationId,
    engine: $db.engine,
    status,
    ...extra,
  });

/** MarkOperationRunning → EmitOperationRunning (with `events` beside the operation's) → `next`. */
export function operationRunning(
  next: string,
  events: BusEvent[] = [],
  operation: OperationEvent = operationEvent,
): Record<string, State> {
  return {
    MarkOperationRunning: updateItem(itemKey(keys.operation, $.tenantId, $.operationId), {
      update: 'SET #status = :running, startedAt = :now, updatedAt = :now',
      condition: 'attribute_exists(pk)',
      names: { '#status': 'status' },
      values: { ':running': S('RUNNING'), ':now': S(context.enteredTime) },
      next: 'EmitOperationRunning',
    }),
    EmitOperationRunning: emitEvents([operation('RUNNING'), ...events], { next }),
  };
}

/** MarkOperationSucceeded → EmitOperationSucceeded (with `events` beside the operation's): the end. */
export function operationSucceeded(
  events: BusEvent[],
  operation: OperationEvent = operationEvent,
): Record<string, State> {
  return {
    MarkOperationSucceeded: updateItem(itemKey(keys.operation, $.tenantId, $.operationId), {
      update: 'SET #status = :ok, endedAt = :now, updatedAt = :now',
      names: { '#status': 'status' },
      values: { ':ok': S('SUCCEEDED'), ':now': S(context.enteredTime) },
      next: 'EmitOperationSucceeded',
    }),
    EmitOperationSucceeded: emitEvents([operation('SUCCEEDED'), ...events], { end: true }),
  };
}

/**
 * Gives the stage back in the status it had before the operation, unlocked (a bastion's workflows,
 * which do not rebuild the stage).
 */
export const releaseStage = (next: string) =>
  updateItem(itemKey(keys.stage, $.tenantId, $.stackId, $.stageName), {
    update: 'REMOVE #lock SET #status = :status, updatedAt = :now',
    condition: '#lock.operationId = :op',
    names: { '#lock': 'lock', '#status': 'status' },
    values: { ':status': S($.stageStatusBefore), ':op': S($.operationId), ':now': S(context.enteredTime) },
    next,
  });

/**
 * The failure path every catch-all leads to: `record` (RecordFailure: the reason on the operation,
 * the stage put back and unlocked), then the FAILED events, then the Fail state.
 */
export function operationFailed(
  record: State,
  events: BusEvent[],
  operation: OperationEvent = operationEvent,
): Record<string, State> {
  return {
    [FAILURE_PATH]: record,
    EmitFailureEvents: emitEvents([operation('FAILED', { error: $.failure.reason }), ...events], {
      catch: false,
      next: 'OperationFailed',
    }),
    OperationFailed: fail('OperationFailed', 'The operation failed; its record holds the reason'),
  };
}

type Change = 'CREATE' | 'UPDATE' | 'DELETE';

export interface StackChange {
  /** Names the states: RegisterStackWait, or RegisterDatabaseStackWait for `Database`. */
  of?: 'Database';
  cfnStackName: Path<string>;
  /** What is done to the stack; a path chooses between create and update at run time. */
  change: Change | Path<string>;
  /** The template to create or update the stack with. */
  template?: { templateBody: Expr<string>; tags: Expr<Record<string, string>> };
  /**
   * With a chosen change: the change set that EXECUTE_CHANGE_SET executes instead of UpdateStack
   * (a run's deploy planned before its approval), waited on like an update.
   */
  changeSetName?: Expr<string | undefined>;
  /** Where the stack as DescribeStack read it is kept. */
  stack: Path<StackDescription>;
  /** Where what resumed the wait (CloudFormation's outcome, or the timeout) is kept. */
  outcome: Path<unknown>;
  /** Where a deletion says whether the stack existed. */
  deletion?: Path<{ existed: boolean }>;
  /**
   * A create that rolled back (ROLLBACK_COMPLETE) leaves a stack that can only be deleted: delete
   * it, so the thing can be created again, then fail.
   */
  deleteFailedCreate?: boolean;
  /** Where the workflow goes once the stack is done. */
  next: string;
}

const WAIT_ROUNDS = 8;
const WAIT_SECONDS = 900;

/**
 * A change to a CloudFormation stack in the customer's account, waited on without polling: register
 * the stack wait, call CloudFormation, park the task token until the stack's status event (or 15
 * minutes), read the stack back and decide on what it says. A stack still in progress re-arms the
 * wait, at most 8 rounds (2 hours); UPDATE_ROLLBACK_FAILED is continued; every other end is
 * explained by its first failed resource and goes to the failure path.
 */
export function stackChange(spec: StackChange): Record<string, State> {
  const x = spec.of ?? '';
  const name = {
    register: `Register${x}StackWait`,
    choose: `Choose${x}StackCall`,
    create: `Create${x}Stack`,
    update: `Update${x}Stack`,
    execute: `Execute${x}ChangeSet`,
    delete: `Delete${x}Stack`,
    existed: `Check${x}StackExisted`,
    wait: `WaitFor${x}Stack`,
    describe: `Describe${x}Stack`,
    check: spec.change === 'DELETE' ? `Check${x}StackDeleted` : `Check${x}StackStatus`,
    rearm: `Rearm${x}StackWait`,
    registerRollback: `Register${x}RollbackWait`,
    continueRollback: `Continue${x}UpdateRollback`,
    explainCreate: `Explain${x}CreateFailure`,
    registerDeletion: `RegisterFailed${x}StackDeletion`,
    deleteFailed: `DeleteFailed${x}Stack`,
    waitDeletion: `WaitForFailed${x}StackDeletion`,
    explain: `Explain${x}StackFailure`,
  };
  const chosen = typeof spec.change !== 'string';
  const creates = chosen || spec.change === 'CREATE';
  const updates = chosen || spec.change === 'UPDATE';
  const stack = {
    tenantId: $.tenantId,
    target: $.target,
    cfnStackName: spec.cfnStackName,
    operationId: $.operationId,
  };
  const waitKey = itemKey(keys.stackWait, $.target.region, spec.cfnStackName);
  const register = (action: Value<string>, next: string) =>
    putItem(
      {
        ...waitKey,
        operationId: S($.operationId),
        tenantId: S($.tenantId),
        since: S(context.enteredTime),
        action: S(action),
      },
      { next },
    );
  const templated = () => ({
    ...stack,
    templateBody: spec.template!.templateBody,
    tags: spec.template!.tags,
  });
  const waitFor = () =>
    waitForToken(
      'WaitForStack',
      { region: $.target.region, cfnStackName: spec.cfnStackName, operationId: $.operationId },
      {
        timeout: WAIT_SECONDS,
        resultPath: spec.outcome,
        catch: [on('States.Timeout', spec.outcome, name.describe), catchInto(FAILURE_PATH)],
        next: name.describe,
      },
    );
  const status = spec.stack.status;
  // The workflow's own stack (a stage's) says StackRolledBack when CloudFormation undid the update,
  // which makes the deployment ROLLED_BACK; another stack's failure (a database's) is StackFailed.
  const explain = (next: string) =>
    lambdaTask(
      'ExplainStackFailure',
      { ...stack, status },
      {
        result: (out) => ({ Error: spec.of ? 'StackFailed' : out.error, Cause: out.reason }),
        resultPath: $.error,
        next,
      },
    );
  const done =
    spec.change === 'DELETE'
      ? is(status, 'StringEquals', 'DELETE_COMPLETE')
      : spec.change === 'UPDATE'
        ? is(status, 'StringEquals', 'UPDATE_COMPLETE')
        : or(is(status, 'StringEquals', 'CREATE_COMPLETE'), is(status, 'StringEquals', 'UPDATE_COMPLETE'));

  const firstCall = chosen
    ? name.choose
    : spec.change === 'CREATE'
      ? name.create
      : name[spec.change === 'UPDATE' ? 'update' : 'delete'];
  return {
    [name.register]: register(spec.change, firstCall),
    ...(chosen
      ? {
          [name.choose]: choice(
            [
              when(is(spec.change as Path<string>, 'StringEquals', 'CREATE'), name.create),
              ...(spec.changeSetName
                ? [when(is(spec.change as Path<string>, 'StringEquals', 'EXECUTE_CHANGE_SET'), name.execute)]
                : []),
            ],
            name.update,
          ),
        }
      : {}),
    ...(chosen && spec.changeSetName
      ? {
          [name.execute]: lambdaTask(
            'ExecuteChangeSet',
            { ...stack, changeSetName: spec.changeSetName as Expr<string> },
            { next: name.wait },
          ),
        }
      : {}),
    ...(creates ? { [name.create]: lambdaTask('CreateStack', templated(), { next: name.wait }) } : {}),
    ...(updates ? { [name.update]: lambdaTask('UpdateStack', templated(), { next: name.wait }) } : {}),
    ...(spec.change === 'DELETE'
      ? {
          [name.delete]: lambdaTask('DeleteStack', stack, {
            result: ['existed'],
            resultPath: spec.deletion!,
            next: name.existed,
          }),
          // Deleting a stack that is not there emits no event: nothing to wait for.
          [name.existed]: choice(
            [when(is(spec.deletion!.existed, 'BooleanEquals', false), spec.next)],
            name.wait,
          ),
        }
      : {}),
    [name.wait]: waitFor(),
    [name.describe]: lambdaTask('DescribeStack', stack, {
      result: ['stackId', 'status', 'reason', 'outputs'],
      resultPath: spec.stack,
      next: name.check,
    }),
    [name.check]: choice(
      [
        when(done, spec.next),
        when(is(status, 'StringMatches', '*_IN_PROGRESS'), name.rearm),
        ...(updates
          ? [when(is(status, 'StringEquals', 'UPDATE_ROLLBACK_FAILED'), name.registerRollback)]
          : []),
        ...(spec.deleteFailedCreate
          ? [when(is(status, 'StringEquals', 'ROLLBACK_COMPLETE'), name.explainCreate)]
          : []),
      ],
      name.explain,
    ),
    [name.rearm]: updateItem(waitKey, {
      update: 'REMOVE outcome, taskToken, resumedAt SET rounds = if_not_exists(rounds, :zero) + :one',
      condition: 'operationId = :op AND (attribute_not_exists(rounds) OR rounds < :max)',
      values: { ':op': S($.operationId), ':zero': N(0), ':one': N(1), ':max': N(WAIT_ROUNDS - 1) },
      catch: [
        on('DynamoDB.ConditionalCheckFailedException', null, 'StackWaitExhausted'),
        catchInto(FAILURE_PATH),
      ],
      next: name.wait,
    }),
    StackWaitExhausted: pass(
      {
        Error: 'StackWaitExhausted',
        Cause: 'CloudFormation did not finish within the time the workflow waits (2 hours)',
      },
      { resultPath: $.error, next: FAILURE_PATH },
    ),
    ...(updates
      ? {
          [name.registerRollback]: register('CONTINUE_ROLLBACK', name.continueRollback),
          [name.continueRollback]: lambdaTask('ContinueUpdateRollback', stack, { next: name.wait }),
        }
      : {}),
    ...(spec.deleteFailedCreate
      ? {
          [name.explainCreate]: explain(name.registerDeletion),
          [name.registerDeletion]: register('DELETE', name.deleteFailed),
          [name.deleteFailed]: lambdaTask('DeleteStack', stack, { next: name.waitDeletion }),
          // The failure is already at $.error; whatever happens to the deletion, the workflow reports it.
          [name.waitDeletion]: waitForToken(
            'WaitForStack',
            { region: $.target.region, cfnStackName: spec.cfnStackName, operationId: $.operationId },
            { timeout: WAIT_SECONDS, catch: [catchInto(FAILURE_PATH, null)], next: FAILURE_PATH },
          ),
        }
      : {}),
    [name.explain]: explain(FAILURE_PATH),
  };
}

/**
 * RenderStageTemplate → the stage's stack change → `next`: the stage rebuilt from its recorded
 * settings and databases (a stage's own operations, and every database change).
 */
export function stageRebuild(options: {
  change: 'UPDATE' | Path<string>;
  deleteFailedCreate?: boolean;
  next: string;
}): Record<string, State> {
  return {
    RenderStageTemplate: lambdaTask(
      'RenderStageTemplate',
      { tenantId: $.tenantId, stackId: $.stackId, stageName: $.stageName, operationId: $.operationId },
      {
        result: ['templateBody', 'tags', 'serviceEnvironmentNames'],
        resultPath: $.rendered,
        next: 'RegisterStackWait',
      },
    ),
    ...stackChange({
      cfnStackName: $.cfnStackName,
      change: options.change,
      ...(typeof options.change === 'string' ? {} : { changeSetName: $.changeSetName }),
      template: $.rendered,
      stack: $.stack,
      outcome: $.stackOutcome,
      deleteFailedCreate: options.deleteFailedCreate,
      next: options.next,
    }),
  };
}

/** The stage ACTIVE with its stack's outputs, and unlocked (one write). */
export function recordStageReady(next: string): Record<string, State> {
  return {
    RecordStageReady: lambdaTask(
      'RecordStageReady',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        outputs: $.stack.outputs,
        serviceEnvironmentNames: $.rendered.serviceEnvironmentNames,
      },
      { next },
    ),
  };
}

/**
 * What the failure-recording tasks return: the reason, the stage's status now, and how the
 * operation's deployment ended (for those that deploy the stage).
 */
const failure = {
  result: ['reason', 'stageStatus', 'deploymentStatus'] as ['reason', 'stageStatus', 'deploymentStatus'],
  resultPath: $.failure,
};

/** The deployment of an operation that failed: FAILED or ROLLED_BACK, and why. */
const deploymentEnded = () => deploymentEvent($.failure.deploymentStatus, { reason: $.failure.reason });

/**
 * The failure path of a stage's own operations: the stage is FAILED (or as it was), with the reason;
 * for one that `deploys` the stage, its deployment too.
 */
export const stageOperationFailed = (options: { deploys?: boolean } = {}) =>
  operationFailed(
    lambdaTask(
      'RecordFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        error: $.error,
      },
      { ...failure, catch: false, next: 'EmitFailureEvents' },
    ),
    [
      stageEvent($.failure.stageStatus, { error: $.failure.reason }),
      ...(options.deploys ? [deploymentEnded()] : []),
    ],
  );

/** The failure path of a database's operations: the database FAILED or as it was, the stage as it was. */
export const databaseOperationFailed = () =>
  operationFailed(
    lambdaTask(
      'RecordDatabaseFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        operationType: $.operationType,
        engine: $db.engine,
        stageStatusBefore: $.stageStatusBefore,
        target: $.target,
        error: $.error,
      },
      { ...failure, catch: false, next: 'EmitFailureEvents' },
    ),
    // Every database workflow rebuilds the stage: it is a deployment of it.
    [databaseEvent('FAILED', { error: $.failure.reason }), deploymentEnded()],
  );

/** The failure path of a bastion's operations: the bastion forgotten or FAILED, the stage as it was. */
export const bastionOperationFailed = () =>
  operationFailed(
    lambdaTask(
      'RecordBastionFailure',
      {
        tenantId: $.tenantId,
        stackId: $.stackId,
        stageName: $.stageName,
        operationId: $.operationId,
        stageStatusBefore: $.stageStatusBefore,
        error: $.error,
      },
      { ...failure, catch: false, next: 'EmitFailureEvents' },
    ),
    [],
  );
