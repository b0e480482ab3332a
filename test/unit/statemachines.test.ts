import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { taskFunctions, type TaskName } from '../../src/tasks/registry';

/** Every workflow's ASL: valid, and holding to the rules every state machine here follows. */
const dir = join(process.cwd(), 'statemachines');
/** Steps whose failure must not stop the workflow: sending an approval request (the dashboard still decides). */
const BEST_EFFORT = ['SendApprovalRequest', 'DiscardStageDeployPlan'];
const files = readdirSync(dir).filter((f) => f.endsWith('.asl.json'));

interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string | null; Next: string }[];
  Next?: string;
  Parameters?: {
    FunctionName?: string;
    Payload?: Record<string, unknown>;
    Entries?: { Detail: Record<string, unknown> }[];
  };
}

describe.each(files)('%s', (file) => {
  const definition = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { States: Record<string, State> };
  const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

  test('passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(definition as never);
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  test.each(tasks)(
    '%s has a timeout, retries transient errors, and every Lambda it calls exists',
    (_name, state) => {
      // A timeout read from the input (an approval's expiry) is explicit too.
      if (state.TimeoutSecondsPath === undefined) expect(state.TimeoutSeconds).toBeGreaterThan(0);
      else expect(state.TimeoutSecondsPath).toMatch(/^\$\./);
      expect(state.Retry?.length).toBeGreaterThan(0);
      // A Lambda task calls the unit of the task its payload names (src/tasks/registry.ts).
      if (state.Resource?.includes(':lambda:')) {
        const task = taskFunctions[state.Parameters?.Payload?.task as TaskName];
        const unit = /^\$\{(\w+)FunctionArn\}$/.exec(state.Parameters?.FunctionName ?? '')?.[1];
        expect(task && `${task.unit[0]!.toUpperCase()}${task.unit.slice(1)}`).toBe(unit);
      }
    },
  );

  test('every task that can fail is caught into the failure path, which records the error at $.error', () => {
    for (const [name, state] of tasks) {
      const inFailurePath = name === 'RecordFailure' || name === 'EmitFailureEvents';
      if (inFailurePath) continue;
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      // A best-effort step carries on where it would have gone, keeping its error beside the state.
      if (BEST_EFFORT.includes(name)) {
        expect({ name, next: catchAll?.Next, resultPath: catchAll?.ResultPath }).toEqual({
          name,
          next: state.Next,
          resultPath: expect.stringMatching(/^\$\.\w+Error$/),
        });
        continue;
      }
      expect({ name, next: catchAll?.Next }).toEqual({
        name,
        next: expect.stringMatching(/^RecordFailure$/),
      });
    }
  });

  test('no event carries anything but ids, statuses and reasons', () => {
    const allowed = [
      'tenantId',
      'operationId',
      'stackId',
      'stageName',
      'type',
      'status',
      'error',
      'url',
      'engine',
      // pipeline runs and approvals
      'runId',
      'approvalId',
      'stageStatus',
      'expiresAt',
      'decidedBy',
      // everyone who approved, in order, when an approval policy needs more than one
      'approvedBy',
      'reason',
      // deploy windows
      'opensAt',
      'overriddenBy',
      // deployments
      'deploymentId',
      'operationType',
      // the image a run reuses (no secret: a registry address and a commit)
      'imageUri',
      // Approval Requested: what the planned deploy changes, as names and counts (no values)
      'changes',
    ];
    for (const [, state] of tasks) {
      for (const entry of state.Parameters?.Entries ?? []) {
        for (const key of Object.keys(entry.Detail)) expect(allowed).toContain(key.replace(/\.\$$/, ''));
      }
    }
  });
});
