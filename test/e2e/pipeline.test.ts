import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEvent } from '../support/event-schemas';
import { startLocalServer, subscribe, type LocalServer, type Sse } from '../support/local-server';
import { deliver, eventually, pushPayload, runStatus, stackWithStages } from '../support/pipeline';

/**
 * From push to production over HTTP against `npm start` (the same entry point, on a free port and a
 * temp data folder): the README's pipeline walk-through, approvals by link, rejection and expiry.
 */
const startServer = (extra: string[]) => startLocalServer('pipeline', ['--stack-delay', '30', ...extra]);

const outboxFiles = (dataDir: string, approvalId: string) =>
  readdirSync(join(dataDir, 'outbox')).filter((name) => name.includes(approvalId));

/** The approval link in the outbox email of an approval. */
async function linkFromOutbox(dataDir: string, approvalId: string): Promise<string> {
  const file = await eventually(
    async () => outboxFiles(dataDir, approvalId).find((name) => name.endsWith('-email.txt')),
    `the email of ${approvalId}`,
  );
  return /(http:\/\/\S+\/v1\/approvals\/\S+)/.exec(readFileSync(join(dataDir, 'outbox', file), 'utf8'))![1]!;
}

const summary = (sse: Sse, runId: string) =>
  sse.events
    .filter((e) => e.data.detail.runId === runId)
    .map((e) =>
      [e.event, e.data.detail.status, e.data.detail.stageName, e.data.detail.stageStatus]
        .filter(Boolean)
        .join(':'),
    );

describe('npm start: from push to production', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startServer(['--build-delay', '100']);
  });
  afterAll(async () => {
    await server.dispose();
  });

  test('a push deploys dev, waits for approval at staging, and goes on to prod once approved by link', async () => {
    // Prepare
    const sse = await subscribe(server.url, server.token);
    const stack = await stackWithStages(server.api, [
      { name: 'dev' },
      { name: 'staging', requireApproval: true },
      { name: 'prod' },
    ]);

    // Act: a push
    const pushed = await deliver(
      server.url,
      stack.stackId,
      stack.webhookSecret,
      pushPayload({ message: 'Ship it' }),
    );
    const runId = String(pushed.body.runId);
    const waiting = await runStatus(server.api, runId, ['WAITING_FOR_APPROVAL', 'FAILED']);
    const approvalId = waiting.stages[1]!.approvalId!;
    const link = await linkFromOutbox(server.dataDir, approvalId);
    await eventually(
      async () => (outboxFiles(server.dataDir, approvalId).length >= 2 ? true : undefined),
      'the Slack message',
    );

    // Assess: dev deployed, staging waits, the outbox has the email and the Slack message
    expect(pushed.status).toBe(202);
    expect(waiting.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'dev:SUCCEEDED',
      'staging:WAITING_FOR_APPROVAL',
      'prod:PENDING',
    ]);
    expect(
      outboxFiles(server.dataDir, approvalId)
        .map((name) => name.replace(/^.*-(email\.txt|slack\.json)$/, '$1'))
        .sort(),
    ).toEqual(['email.txt', 'slack.json']);

    // Act: the link is opened (a mail scanner would do the same): nothing changes
    const opened = await fetch(link, { headers: { accept: 'text/html' } });
    const page = await opened.text();
    const stillWaiting = await server.api.get<{ status: string }>(`/v1/runs/${runId}`);
    const stillPending = await server.api.get<{ status: string }>(`/v1/approvals/${approvalId}`);

    // Assess
    expect(opened.status).toBe(200);
    expect(page).toContain('Deploy to staging?');
    expect(stillWaiting.body.status).toBe('WAITING_FOR_APPROVAL');
    expect(stillPending.body.status).toBe('PENDING');

    // Act: the form is posted
    const token = new URL(link).searchParams.get('token')!;
    const approved = await fetch(`${server.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, decision: 'approve' }).toString(),
    });
    const done = await runStatus(server.api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);
    const again = await fetch(link);

    // Assess: staging and prod deployed; the link is used up
    expect(approved.status).toBe(200);
    expect(done.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'dev:SUCCEEDED',
      'staging:SUCCEEDED',
      'prod:SUCCEEDED',
    ]);
    expect(again.status).toBe(410);
    const prod = await server.api.get<{ imageUri: string }>(`/v1/stacks/${stack.stackId}/stages/prod`);
    expect(prod.body.imageUri).toBe(done.imageUri);

    // Act: a second push, rejected at staging
    const second = await deliver(
      server.url,
      stack.stackId,
      stack.webhookSecret,
      pushPayload({ message: 'Risky' }),
    );
    const secondRunId = String(second.body.runId);
    const secondWaiting = await runStatus(server.api, secondRunId, ['WAITING_FOR_APPROVAL', 'FAILED']);
    const secondLink = await linkFromOutbox(server.dataDir, secondWaiting.stages[1]!.approvalId!);
    const rejected = await fetch(`${server.url}/v1/approvals/${secondWaiting.stages[1]!.approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        decision: 'reject',
        comment: 'not before the release',
        token: new URL(secondLink).searchParams.get('token'),
      }),
    });
    const stopped = await runStatus(server.api, secondRunId, ['STOPPED', 'FAILED', 'SUCCEEDED']);

    // Assess: the run stopped at staging; prod still runs the first run's image
    expect(rejected.status).toBe(200);
    expect(stopped.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'dev:SUCCEEDED',
      'staging:REJECTED',
      'prod:SKIPPED',
    ]);
    const prodAfter = await server.api.get<{ imageUri: string }>(`/v1/stacks/${stack.stackId}/stages/prod`);
    expect(prodAfter.body.imageUri).toBe(done.imageUri);

    // Assess: the events, in order, each valid against its schema
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    expect(summary(sse, runId)).toEqual([
      'Pipeline Run Status Change:BUILDING',
      'Pipeline Run Status Change:DEPLOYING:dev:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:dev:SUCCEEDED',
      'Approval Requested:PENDING:staging',
      'Pipeline Run Status Change:WAITING_FOR_APPROVAL:staging:WAITING_FOR_APPROVAL',
      'Approval Decided:APPROVED:staging',
      'Pipeline Run Status Change:DEPLOYING:staging:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:staging:SUCCEEDED',
      'Pipeline Run Status Change:DEPLOYING:prod:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:prod:SUCCEEDED',
      'Pipeline Run Status Change:SUCCEEDED',
    ]);
    expect(summary(sse, secondRunId)).toEqual([
      'Pipeline Run Status Change:BUILDING',
      'Pipeline Run Status Change:DEPLOYING:dev:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:dev:SUCCEEDED',
      'Approval Requested:PENDING:staging',
      'Pipeline Run Status Change:WAITING_FOR_APPROVAL:staging:WAITING_FOR_APPROVAL',
      'Approval Decided:REJECTED:staging',
      'Pipeline Run Status Change:STOPPED:staging:REJECTED',
    ]);
    // The stage deploys inside the runs are operations with their own events, in between.
    const deploys = sse.events.filter(
      (e) => e.event === 'Operation Status Change' && e.data.detail.stageName === 'prod',
    );
    expect(deploys.map((e) => e.data.detail.status)).toEqual([
      'RUNNING',
      'SUCCEEDED',
      'RUNNING',
      'SUCCEEDED',
    ]);
    for (const event of sse.events)
      expect({ type: event.event, errors: validateEvent(event.data) }).toEqual({
        type: event.event,
        errors: [],
      });
    expect(
      sse.events.some((e) => e.event === 'Pipeline Status Change' && e.data.detail.stackId === stack.stackId),
    ).toBe(true);
  });
});

describe('npm start -- --approval-timeout 2', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startServer(['--build-delay', '50', '--approval-timeout', '2']);
  });
  afterAll(async () => {
    await server.dispose();
  });

  test('an approval nobody decides expires: the run stops with an event, and its link is gone', async () => {
    // Prepare
    const sse = await subscribe(server.url, server.token);
    const stack = await stackWithStages(server.api, [
      { name: 'staging', requireApproval: true },
      { name: 'prod' },
    ]);

    // Act
    const pushed = await deliver(server.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const waiting = await runStatus(server.api, runId, ['WAITING_FOR_APPROVAL']);
    const link = await linkFromOutbox(server.dataDir, waiting.stages[0]!.approvalId!);
    const stopped = await runStatus(server.api, runId, ['STOPPED', 'FAILED', 'SUCCEEDED'], 15_000);
    const late = await fetch(link);

    // Assess
    expect(stopped.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['staging:EXPIRED', 'prod:SKIPPED']);
    expect(stopped.error).toBe('the approval of staging expired');
    expect(late.status).toBe(410);
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    expect(summary(sse, runId).slice(-2)).toEqual([
      'Approval Decided:EXPIRED:staging',
      'Pipeline Run Status Change:STOPPED:staging:EXPIRED',
    ]);
    for (const event of sse.events) expect(validateEvent(event.data)).toEqual([]);
  });
});
