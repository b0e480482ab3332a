import { overrideDeployWindow } from '../../../src/app/deploy-windows';
import type { TaskDelivery } from '../../../src/cloud/errors';
import type { DeployWindow } from '../../../src/domain/deploy-window';
import type { DomainError } from '../../../src/domain/errors';
import { newId } from '../../../src/domain/ids';
import type { Run } from '../../../src/domain/pipeline';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { PipelineStore } from '../../../src/store/pipelines';
import { Store } from '../../../src/store/store';
import { checkDeployWindow, waitForWindow } from '../../../src/tasks/window-steps';
import { aStage, newTenantId, TABLE_NAME } from '../../support/fixtures';

/** Sunday 09:00–10:00 in Berlin; on Monday 19 January 2026 at noon it opens in six days. */
const SUNDAY_MORNING: DeployWindow = {
  days: ['sun'],
  start: '09:00',
  end: '10:00',
  timeZone: 'Europe/Berlin',
};
const MONDAY_NOON = new Date('2026-01-19T11:00:00Z');
const NEXT_OPENING = '2026-01-25T08:00:00.000Z';

/** Records each task success, as Step Functions would take it; 'gone' once the wait has timed out. */
class RecordingWorkflows {
  readonly resumed: string[] = [];
  gone = false;
  async sendTaskSuccess(token: string): Promise<TaskDelivery> {
    if (this.gone) return 'gone';
    this.resumed.push(token);
    return 'delivered';
  }
}

let dynamo: LocalDynamo;
let store: Store;
let pipelines: PipelineStore;
let workflows: RecordingWorkflows;
let tenantId: string;
let stackId: string;
let now: Date;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  store = new Store(dynamo.documentClient, TABLE_NAME);
  pipelines = new PipelineStore(dynamo.documentClient, TABLE_NAME);
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  workflows = new RecordingWorkflows();
  tenantId = newTenantId();
  stackId = newId('stk');
  now = MONDAY_NOON;
  const idle = { status: 'ACTIVE', lock: undefined } as const;
  await store.createStage(
    aStage({ tenantId, stackId, name: 'prod', ...idle, deployWindows: [SUNDAY_MORNING] }),
  );
  await store.createStage(aStage({ tenantId, stackId, name: 'dev', ...idle }));
});

const deps = () => ({ store, pipelines, workflows, clock: () => now });

/** Prod's windows changed as a PATCH changes them: deployed by an operation of their own. */
async function setWindows(deployWindows: DeployWindow[]) {
  const stage = await store.requireStage(tenantId, stackId, 'prod');
  const operationId = newId('op');
  await store.lockStage(stage, operationId, 'UPDATING', { ...stage, deployWindows });
  await store.setStageOutputs(stage, operationId, {}, [], { settings: { ...stage, deployWindows } });
}

/** A run deploying: the build is done and the run moves through dev and prod. */
async function aRun(): Promise<string> {
  const runId = newId('run');
  const at = new Date().toISOString();
  const run: Run = {
    tenantId,
    runId,
    stackId,
    trigger: 'manual',
    branch: 'main',
    commit: {},
    status: 'DEPLOYING',
    requestedBy: 'octocat',
    stageOrder: ['dev', 'prod'],
    stages: { dev: { name: 'dev', status: 'PENDING' }, prod: { name: 'prod', status: 'PENDING' } },
    createdAt: at,
    updatedAt: at,
  };
  await pipelines.putRun(run);
  return runId;
}

const check = (runId: string, stageName = 'prod') =>
  checkDeployWindow({ tenantId, stackId, runId, stageName }, deps());
const park = (runId: string, token: string) =>
  waitForWindow({ taskToken: token, tenantId, runId, stageName: 'prod' }, deps());
const overrideBy = (runId: string, reason = 'hotfix') =>
  overrideDeployWindow(deps(), { tenantId, userId: 'jdoe' }, runId, 'prod', reason);

describe('checkDeployWindow', () => {
  test('a stage without windows, or with one open, deploys at once and records nothing', async () => {
    // Prepare
    const runId = await aRun();

    // Act
    const dev = await check(runId, 'dev');
    now = new Date('2026-01-25T08:30:00Z');
    const prod = await check(runId);

    // Assess
    expect([dev.decision, prod.decision]).toEqual(['OPEN', 'OPEN']);
    expect((await pipelines.requireRun(tenantId, runId)).stages.prod!.status).toBe('PENDING');
  });

  test('a closed window: the run waits until it opens, recorded WAITING_FOR_WINDOW with the opening', async () => {
    // Prepare
    const runId = await aRun();

    // Act
    const decision = await check(runId);

    // Assess
    expect(decision).toMatchObject({
      decision: 'WAIT',
      opensAt: NEXT_OPENING,
      waitSeconds: 6 * 86400 - 3 * 3600,
    });
    const run = await pipelines.requireRun(tenantId, runId);
    expect(run.status).toBe('WAITING_FOR_WINDOW');
    expect(run.stages.prod).toMatchObject({
      status: 'WAITING_FOR_WINDOW',
      opensAt: NEXT_OPENING,
      waitingSince: MONDAY_NOON.toISOString(),
    });
  });

  test('a window opening more than 8 days after the wait began stops the run', async () => {
    // Prepare: the run began waiting on Monday; two days on, only Tuesdays remain
    const runId = await aRun();
    await check(runId);
    await setWindows([{ ...SUNDAY_MORNING, days: ['tue'], start: '13:00', end: '14:00' }]);
    now = new Date('2026-01-21T11:00:00Z');

    // Act
    const stopped = await check(runId).catch((error: Error) => error);

    // Assess: next Tuesday 13:00 is 8 days and an hour after Monday noon
    expect(stopped).toMatchObject({ name: 'WindowWaitExpired' });
    expect((stopped as Error).message).toMatch(/opens at 2026-01-27T12:00:00.000Z, more than 8 days/);
  });
});

describe('the window wait: token and wake meet in either order, and resume once', () => {
  test('an override before the token is parked: the park resumes the workflow at once', async () => {
    // Prepare
    const runId = await aRun();
    await check(runId);

    // Act
    const overridden = await overrideBy(runId);
    const resumedBeforePark = [...workflows.resumed];
    await park(runId, 'token-1');
    const again = await check(runId);

    // Assess
    expect(overridden.stages.prod!.override).toMatchObject({ by: 'jdoe', reason: 'hotfix' });
    expect(resumedBeforePark).toEqual([]);
    expect(workflows.resumed).toEqual(['token-1']);
    expect(again).toMatchObject({
      decision: 'OVERRIDDEN',
      overriddenBy: 'jdoe',
      reason: 'hotfix',
      opensAt: NEXT_OPENING,
    });
  });

  test('a parked token is resumed by the override, once; a second override is a 409 saying who overrode', async () => {
    // Prepare
    const runId = await aRun();
    await check(runId);
    await park(runId, 'token-1');

    // Act
    await overrideBy(runId);
    const second = await overrideBy(runId, 'me too').catch((error: DomainError) => error);
    await park(runId, 'token-1');

    // Assess
    expect(workflows.resumed).toEqual(['token-1']);
    expect(second).toMatchObject({ status: 409, details: { status: 'WAITING_FOR_WINDOW' } });
    expect((second as DomainError).message).toMatch(/already overridden by jdoe/);
  });

  test('an override arriving as the wait times out still counts: the look that follows the timeout sees it', async () => {
    // Prepare
    const runId = await aRun();
    await check(runId);
    await park(runId, 'token-1');
    workflows.gone = true;

    // Act
    await overrideBy(runId);
    const afterTimeout = await check(runId);

    // Assess
    expect(afterTimeout.decision).toBe('OVERRIDDEN');
  });

  test('a newer run reaching the closed window wakes the older one, which then finds itself superseded', async () => {
    // Prepare
    const older = await aRun();
    await check(older);
    await park(older, 'older-token');
    const newer = await aRun();

    // Act
    const newerDecision = await check(newer);
    const olderLooks = await check(older).catch((error: Error) => error);

    // Assess
    expect(newerDecision.decision).toBe('WAIT');
    expect(workflows.resumed).toEqual(['older-token']);
    expect(olderLooks).toMatchObject({ name: 'RunSuperseded' });
    expect((olderLooks as Error).message).toBe(`run ${newer} already waits for prod`);
  });

  test('the override route: 404 for a stage the run does not have, 409 naming the state when not waiting', async () => {
    // Prepare
    const runId = await aRun();

    // Act
    const unknownStage = await overrideDeployWindow(
      deps(),
      { tenantId, userId: 'jdoe' },
      runId,
      'qa',
      'x',
    ).catch((error: DomainError) => error);
    const notWaiting = await overrideBy(runId).catch((error: DomainError) => error);

    // Assess
    expect(unknownStage).toMatchObject({ status: 404, message: `stage qa of run ${runId} not found` });
    expect(notWaiting).toMatchObject({
      status: 409,
      details: { status: 'DEPLOYING', stageStatus: 'PENDING' },
    });
    expect((notWaiting as DomainError).message).toBe(
      `run ${runId} is not waiting for the deploy window of prod: the run is DEPLOYING and stage prod is PENDING`,
    );
  });
});
