import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import { deliver, pushPayload, runStatus, stackWithStages, type RunBody } from '../support/pipeline';

interface WindowRunBody extends RunBody {
  stages: (RunBody['stages'][number] & {
    opensAt: string | null;
    override: { by: string; reason: string; at: string } | null;
  })[];
}

const berlin = (days: string[], start: string, end: string) => ({
  days,
  start,
  end,
  timeZone: 'Europe/Berlin',
});

/**
 * Deploy windows on the embedded runtime: the real pipeline-run ASL, task functions and store. The
 * windows are checked against a clock the test sets running from a chosen instant (so a window can
 * open seconds after the run reaches it, on the day clocks change); the waits are real seconds.
 */
describe('deploy windows on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;
  let offsetMs = 0;
  const events: BusEvent[] = [];
  /** From now on the windows are checked as if it were `iso`, the clock running on from there. */
  const setClock = (iso: string) => (offsetMs = Date.parse(iso) - Date.now());

  beforeAll(async () => {
    runtime = await startRuntime({
      port: 0,
      stackDelayMs: 10,
      buildDelayMs: 30,
      approvalTimeoutSeconds: 3600,
      clock: () => new Date(Date.now() + offsetMs),
    });
    api = client(runtime.url, runtime.tokenFor('acme'));
    runtime.bus.subscribe((e) => {
      if (e.source === 'tinystacks') events.push(e);
    });
  });
  afterAll(async () => {
    await runtime.close();
  });

  const ofRun = (runId: string) =>
    events
      .filter((e) => e.detail.runId === runId)
      .map((e) =>
        [e['detail-type'], e.detail.status, e.detail.stageName, e.detail.stageStatus, e.detail.opensAt]
          .filter((part) => part !== undefined)
          .join(':'),
      );
  const push = async (stack: { stackId: string; webhookSecret: string }) => {
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    return String(pushed.body.runId);
  };
  const run = async (runId: string, statuses: string[], timeoutMs?: number) =>
    (await runStatus(api, runId, statuses, timeoutMs)) as WindowRunBody;
  const override = (runId: string, stage: string, body: unknown, headers?: Record<string, string>) =>
    api.post<WindowRunBody & { error?: { field?: string; message: string } }>(
      `/v1/runs/${runId}/stages/${stage}/override`,
      body,
      headers,
    );

  test('a run reaching a closed window waits, WAITING_FOR_WINDOW until 09:00 in Berlin on the day clocks go forward, then deploys', async () => {
    // Prepare: 29 March 2026, 08:59:56 CEST; the window opens at 09:00 CEST (07:00 UTC)
    const stack = await stackWithStages(api, [
      { name: 'dev' },
      { name: 'prod', deployWindows: [berlin(['sun'], '09:00', '16:00')] },
    ]);
    setClock('2026-03-29T06:59:56Z');
    const opensAtReal = Date.now() + 4000;

    // Act
    const runId = await push(stack);
    const waiting = await run(runId, ['WAITING_FOR_WINDOW', 'FAILED', 'SUCCEEDED']);
    const done = await run(runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);

    // Assess
    expect(waiting.stages.map((s) => [s.name, s.status, s.opensAt])).toEqual([
      ['dev', 'SUCCEEDED', null],
      ['prod', 'WAITING_FOR_WINDOW', '2026-03-29T07:00:00.000Z'],
    ]);
    expect(done).toMatchObject({ status: 'SUCCEEDED', error: null });
    const operation = await api.get<{ createdAt: string }>(`/v1/operations/${done.stages[1]!.operationId}`);
    expect(Date.parse(operation.body.createdAt)).toBeGreaterThanOrEqual(opensAtReal - 50);
    expect(ofRun(runId)).toEqual([
      'Pipeline Run Status Change:BUILDING',
      'Pipeline Run Status Change:DEPLOYING:dev:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:dev:SUCCEEDED',
      'Pipeline Run Status Change:WAITING_FOR_WINDOW:prod:WAITING_FOR_WINDOW:2026-03-29T07:00:00.000Z',
      'Pipeline Run Status Change:DEPLOYING:prod:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:prod:SUCCEEDED',
      'Pipeline Run Status Change:SUCCEEDED',
    ]);
    for (const event of events.filter((e) => e.detail.runId === runId))
      expect(validateEvent(event)).toEqual([]);
    // 8 for the build (2 of them the look-up of an earlier image), 11 per stage (8 + the window's check and choice, and
    // whether the deploy was planned), 4 for a wait that ends when the window opens (the wait and its event, the second
    // check and choice), 4 to finish.
    expect(runtime.workflows.execution(runId)!.stateTransitions).toBe(38);
  });

  test('an override deploys now, recorded with who and why; the route refuses what it cannot do', async () => {
    // Prepare: Monday noon; the window opens next Sunday at 09:00
    const stack = await stackWithStages(api, [
      { name: 'dev' },
      { name: 'prod', deployWindows: [berlin(['sun'], '09:00', '10:00')] },
    ]);
    setClock('2026-01-19T11:00:00Z');
    const runId = await push(stack);
    const waiting = await run(runId, ['WAITING_FOR_WINDOW', 'FAILED', 'SUCCEEDED']);

    // Act
    const noReason = await override(runId, 'prod', {});
    const unknownRun = await override('run_01jn8kq3m0b7w6r4t2zyx9c8de', 'prod', { reason: 'hotfix' });
    const unknownStage = await override(runId, 'staging', { reason: 'hotfix' });
    const notWaitingStage = await override(runId, 'dev', { reason: 'hotfix' });
    const key = { 'idempotency-key': `override-${runId}` };
    const overridden = await override(runId, 'prod', { reason: 'hotfix for the checkout outage' }, key);
    const replayed = await override(runId, 'prod', { reason: 'hotfix for the checkout outage' }, key);
    const done = await run(runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);
    const afterwards = await override(runId, 'prod', { reason: 'again' });

    // Assess
    expect(waiting.stages[1]).toMatchObject({
      status: 'WAITING_FOR_WINDOW',
      opensAt: '2026-01-25T08:00:00.000Z',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatchObject({ field: 'reason' });
    expect(unknownRun.status).toBe(404);
    expect(unknownStage.status).toBe(404);
    expect(notWaitingStage.status).toBe(409);
    expect(notWaitingStage.body.error!.message).toMatch(/stage dev is SUCCEEDED/);
    expect(overridden.status).toBe(202);
    expect(overridden.body.stages[1]!.override).toMatchObject({
      by: 'acme-user',
      reason: 'hotfix for the checkout outage',
    });
    expect(replayed).toMatchObject({ status: 202, body: overridden.body });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stages[1]!.override).toEqual(overridden.body.stages[1]!.override);
    expect(afterwards.status).toBe(409);
    expect(afterwards.body.error!.message).toMatch(/already overridden by acme-user/);
    expect(ofRun(runId).slice(3, 6)).toEqual([
      'Pipeline Run Status Change:WAITING_FOR_WINDOW:prod:WAITING_FOR_WINDOW:2026-01-25T08:00:00.000Z',
      'Deploy Window Overridden:prod:2026-01-25T08:00:00.000Z',
      'Pipeline Run Status Change:DEPLOYING:prod:DEPLOYING',
    ]);
    const overriddenEvent = events.find(
      (e) => e['detail-type'] === 'Deploy Window Overridden' && e.detail.runId === runId,
    )!;
    expect(overriddenEvent.detail).toMatchObject({
      overriddenBy: 'acme-user',
      reason: 'hotfix for the checkout outage',
    });
    for (const event of events.filter((e) => e.detail.runId === runId))
      expect(validateEvent(event)).toEqual([]);
    // The same as a wait the window ends, plus the override's event: however long the wait would have been.
    expect(runtime.workflows.execution(runId)!.stateTransitions).toBe(39);
  });

  test('approval first, then the window', async () => {
    // Prepare
    const stack = await stackWithStages(api, [
      { name: 'prod', requireApproval: true, deployWindows: [berlin(['sun'], '09:00', '10:00')] },
    ]);
    setClock('2026-01-19T11:00:00Z');
    const runId = await push(stack);
    const atApproval = await run(runId, ['WAITING_FOR_APPROVAL', 'FAILED']);

    // Act
    const tooEarly = await override(runId, 'prod', { reason: 'hotfix' });
    await api.post(`/v1/approvals/${atApproval.stages[0]!.approvalId}`, { decision: 'approve' });
    const atWindow = await run(runId, ['WAITING_FOR_WINDOW', 'FAILED']);
    await override(runId, 'prod', { reason: 'approved and urgent' });
    const done = await run(runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);

    // Assess
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error!.message).toMatch(/the run is WAITING_FOR_APPROVAL/);
    expect(atWindow.stages[0]!.status).toBe('WAITING_FOR_WINDOW');
    expect(done.status).toBe('SUCCEEDED');
    expect(ofRun(runId).filter((e) => !e.startsWith('Pipeline Run Status Change:DEPLOYING'))).toEqual([
      'Pipeline Run Status Change:BUILDING',
      'Approval Requested:PENDING:prod',
      'Pipeline Run Status Change:WAITING_FOR_APPROVAL:prod:WAITING_FOR_APPROVAL',
      'Approval Decided:APPROVED:prod',
      'Pipeline Run Status Change:WAITING_FOR_WINDOW:prod:WAITING_FOR_WINDOW:2026-01-25T08:00:00.000Z',
      'Deploy Window Overridden:prod:2026-01-25T08:00:00.000Z',
      'Pipeline Run Status Change:SUCCEEDED',
    ]);
  });

  test('a newer run reaching the same closed window supersedes the older one waiting there', async () => {
    // Prepare
    const stack = await stackWithStages(api, [
      { name: 'prod', deployWindows: [berlin(['sun'], '09:00', '10:00')] },
    ]);
    setClock('2026-01-19T11:00:00Z');
    const older = await push(stack);
    await run(older, ['WAITING_FOR_WINDOW']);

    // Act
    const newer = await push(stack);
    const newerWaiting = await run(newer, ['WAITING_FOR_WINDOW', 'FAILED']);
    const superseded = await run(older, ['SUPERSEDED', 'FAILED', 'SUCCEEDED']);
    const lateOverride = await override(older, 'prod', { reason: 'the old one, please' });
    await override(newer, 'prod', { reason: 'the new one, then' });
    const newerDone = await run(newer, ['SUCCEEDED', 'FAILED']);

    // Assess
    expect(newerWaiting.stages[0]!.status).toBe('WAITING_FOR_WINDOW');
    expect(superseded.stages[0]!.status).toBe('SUPERSEDED');
    expect(superseded.error).toBe('a newer run reached prod first');
    expect(lateOverride.status).toBe(409);
    expect(lateOverride.body.error!.message).toMatch(/the run is SUPERSEDED/);
    expect(newerDone.status).toBe('SUCCEEDED');
  });

  test('windows edited during the wait are read when it ends: the run waits again for the new opening', async () => {
    // Prepare: Monday 08:59:57 in Berlin, the window opens at 09:00
    const stack = await stackWithStages(api, [
      { name: 'prod', deployWindows: [berlin(['mon'], '09:00', '10:00')] },
    ]);
    setClock('2026-01-19T07:59:57Z');
    const runId = await push(stack);
    await run(runId, ['WAITING_FOR_WINDOW']);

    // Act: the window now opens at 09:01; the clock jumps to 09:00:55 (Berlin), so the second wait is short
    const patched = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
      { deployWindows: [berlin(['mon'], '09:01', '10:00')] },
    );
    await api.operationEnd(patched.body.operation.operationId);
    offsetMs += 55_000;
    const done = await run(runId, ['SUCCEEDED', 'FAILED', 'STOPPED'], 30_000);

    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(ofRun(runId).filter((e) => e.includes('WAITING_FOR_WINDOW'))).toEqual([
      'Pipeline Run Status Change:WAITING_FOR_WINDOW:prod:WAITING_FOR_WINDOW:2026-01-19T08:00:00.000Z',
      'Pipeline Run Status Change:WAITING_FOR_WINDOW:prod:WAITING_FOR_WINDOW:2026-01-19T08:01:00.000Z',
    ]);
    // One more round of wait: 4 more transitions than a single wait.
    expect(runtime.workflows.execution(runId)!.stateTransitions).toBe(8 + 11 + 4 + 4 + 4);
  });

  test('a window that would open more than 8 days after the run began waiting stops the run', async () => {
    // Prepare: the wait began on Monday at 08:59:56 (Berlin)
    const stack = await stackWithStages(api, [
      { name: 'prod', deployWindows: [berlin(['mon'], '09:00', '10:00')] },
    ]);
    setClock('2026-01-19T07:59:56Z');
    const runId = await push(stack);
    await run(runId, ['WAITING_FOR_WINDOW']);

    // Act: only Tuesdays now, and two days pass: the next opening is 8 days after the wait began
    const patched = await api.patch<{ operation: { operationId: string } }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
      { deployWindows: [berlin(['tue'], '09:00', '10:00')] },
    );
    await api.operationEnd(patched.body.operation.operationId);
    offsetMs += 2 * 24 * 3600_000;
    const stopped = await run(runId, ['STOPPED', 'FAILED', 'SUCCEEDED'], 30_000);

    // Assess
    expect(stopped.stages[0]!.status).toBe('EXPIRED');
    expect(stopped.error).toBe('the deploy window of prod did not open within 8 days of the run reaching it');
    expect(ofRun(runId).at(-1)).toBe('Pipeline Run Status Change:STOPPED:prod:EXPIRED');
  });
});
