import type { BusEvent } from '../../src/local/bus';
import type { Runtime } from '../../src/local/runtime';
import { signSlackRequest } from '../../src/domain/slack';
import { client, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import {
  deliver,
  eventually,
  pipelineRuntime,
  pushPayload,
  runStatus,
  stackWithStages,
  type RunBody,
} from '../support/pipeline';

/**
 * The pipeline-run workflow on the local engine: the real ASL (with deploy-stage as a nested
 * execution), the real task functions and store, the simulated CodePipeline and CloudFormation.
 */
describe('pipeline runs on the embedded runtime', () => {
  let runtime: Runtime;
  let api: Client;
  let events: BusEvent[];

  beforeAll(async () => {
    ({ runtime, api, events } = await pipelineRuntime());
  });
  afterAll(async () => {
    await runtime.close();
  });
  afterEach(() => runtime.pipelines.builds.clearFailures());

  const linkOf = (approvalId: string) =>
    eventually(
      async () =>
        runtime.pipelines.outbox.messages.find((m) => m.kind === 'email' && m.link?.includes(approvalId))
          ?.link,
      `the email of ${approvalId}`,
    );
  const ofRun = (runId: string) =>
    events
      .filter((e) => e.detail.runId === runId)
      .map(
        (e) =>
          `${e['detail-type']}:${String(e.detail.status)}${e.detail.stageName ? `:${String(e.detail.stageName)}` : ''}${e.detail.stageStatus ? `:${String(e.detail.stageStatus)}` : ''}`,
      );

  test('a push builds, deploys dev, waits at staging, and on approval deploys staging and prod', async () => {
    // Prepare
    const stack = await stackWithStages(api, [
      { name: 'dev' },
      { name: 'staging', requireApproval: true },
      { name: 'prod' },
    ]);

    // Act
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const waiting = await runStatus(api, runId, ['WAITING_FOR_APPROVAL', 'FAILED']);
    const approvalId = waiting.stages[1]!.approvalId!;
    const link = await linkOf(approvalId);
    const token = new URL(link).searchParams.get('token')!;
    const decided = await fetch(`${runtime.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', token }),
    });
    const done = await runStatus(api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);

    // Assess
    expect(pushed.status).toBe(202);
    expect(waiting.stages.map((s) => s.status)).toEqual(['SUCCEEDED', 'WAITING_FOR_APPROVAL', 'PENDING']);
    expect(decided.status).toBe(200);
    expect(done).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(done.stages.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const prod = await api.get<{ imageUri: string; status: string }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
    );
    expect(prod.body).toMatchObject({ status: 'ACTIVE', imageUri: done.imageUri });
    expect(done.imageUri).toMatch(
      new RegExp(`dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/tinystacks/${stack.stackId}:${done.commit.sha}$`),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(ofRun(runId)).toEqual([
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
    for (const event of events.filter((e) => e.detail.runId === runId))
      expect(validateEvent(event)).toEqual([]);
    const execution = runtime.workflows.execution(runId)!;
    expect(execution.status).toBe('SUCCEEDED');
    // 8 for the build (2 of them the look-up of an earlier image), 11 per stage (+9 for an approval:
    // plan, describe, ask, wait, check), 4 to finish; each deploy-stage child adds its 12.
    expect(execution.stateTransitions).toBe(54);
    for (const stage of done.stages)
      expect(runtime.workflows.execution(stage.operationId!)?.stateTransitions).toBe(12);
  });

  test('a second run of a commit reuses its image: no build, no push (the repository is IMMUTABLE)', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'dev' }], {});
    const sha = 'e'.repeat(40);
    const first = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload({ sha }));
    const built = await runStatus(api, String(first.body.runId), ['SUCCEEDED', 'FAILED']);
    const builds = () =>
      events.filter((e) => e.detail.status === 'BUILDING' && e.detail.stackId === stack.stackId);
    const buildsBefore = builds().length;

    // Act: the same commit pushed again (another delivery), then deployed by hand
    const again = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload({ sha }));
    const reused = await runStatus(api, String(again.body.runId), ['SUCCEEDED', 'FAILED']);
    const manual = await api.post<RunBody>(`/v1/stacks/${stack.stackId}/runs`, { commit: sha });
    const reusedByHand = await runStatus(api, manual.body.runId, ['SUCCEEDED', 'FAILED']);

    // Assess
    expect(built).toMatchObject({ status: 'SUCCEEDED', build: { status: 'BUILT' } });
    for (const run of [reused, reusedByHand]) {
      expect(run).toMatchObject({
        status: 'SUCCEEDED',
        error: null,
        imageUri: built.imageUri,
        commit: { sha },
        build: { status: 'REUSED', imageUri: built.imageUri, pipelineExecutionId: null },
      });
      expect(run.stages.map((s) => s.status)).toEqual(['SUCCEEDED']);
    }
    expect(builds()).toHaveLength(buildsBefore);
    await new Promise((r) => setTimeout(r, 100));
    expect(ofRun(reused.runId)).toEqual([
      'Pipeline Run Status Change:IMAGE_REUSED',
      'Pipeline Run Status Change:DEPLOYING:dev:DEPLOYING',
      'Pipeline Run Status Change:DEPLOYING:dev:SUCCEEDED',
      'Pipeline Run Status Change:SUCCEEDED',
    ]);
    const reusedEvent = events.find(
      (e) => e.detail.runId === reused.runId && e.detail.status === 'IMAGE_REUSED',
    )!;
    expect(reusedEvent.detail.imageUri).toBe(built.imageUri);
    expect(validateEvent(reusedEvent)).toEqual([]);
    // FindBuiltImage, IsImageBuilt, PromoteBuiltImage, EmitImageReused; 11 for the stage; 4 to finish.
    expect(runtime.workflows.execution(reused.runId)!.stateTransitions).toBe(19);
  });

  test('a run of the branch head (no commit known before its build) builds', async () => {
    // Prepare
    const stack = await stackWithStages(api, [], {});

    // Act
    const started = await api.post<RunBody>(`/v1/stacks/${stack.stackId}/runs`, {});
    const done = await runStatus(api, started.body.runId, ['SUCCEEDED', 'FAILED']);

    // Assess
    expect(done).toMatchObject({ status: 'SUCCEEDED', build: { status: 'BUILT' } });
    expect(done.build!.pipelineExecutionId).toEqual(expect.any(String));
    expect(done.commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  test('a failed build fails the run; a failed deploy stops the run and leaves earlier stages as they are', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'dev' }, { name: 'prod' }], {});
    runtime.pipelines.builds.failWhen({ stackId: stack.stackId, once: true, reason: 'npm ci failed' });

    // Act
    const first = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const failedBuild = await runStatus(api, String(first.body.runId), ['FAILED', 'SUCCEEDED']);
    runtime.cloudFormation.failWhen({
      stackName: `tinystacks-${stack.stackId.replace('_', '-')}-prod`,
      logicalId: 'TaskDefinition',
      once: true,
    });
    const second = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const failedDeploy = await runStatus(api, String(second.body.runId), ['FAILED', 'SUCCEEDED']);

    // Assess
    expect(failedBuild.error).toMatch(/npm ci failed/);
    expect(failedBuild.stages).toEqual([]);
    expect(failedDeploy.stages.map((s) => s.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect(failedDeploy.error).toMatch(/^deploying to prod failed: TaskDefinition/);
    const dev = await api.get<{ imageUri: string }>(`/v1/stacks/${stack.stackId}/stages/dev`);
    const prod = await api.get<{ imageUri: string; currentOperationId: string | null }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
    );
    expect(dev.body.imageUri).toBe(failedDeploy.imageUri);
    expect(prod.body.imageUri).not.toBe(failedDeploy.imageUri);
    expect(prod.body.currentOperationId).toBeNull();
  });

  test('a newer run reaching an approval supersedes the older one waiting there', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'staging', requireApproval: true }]);
    const older = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const olderWaiting = await runStatus(api, String(older.body.runId), ['WAITING_FOR_APPROVAL']);

    // Act
    const newer = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const newerWaiting = await runStatus(api, String(newer.body.runId), ['WAITING_FOR_APPROVAL']);
    const superseded = await runStatus(api, String(older.body.runId), ['SUPERSEDED']);
    const oldLink = await fetch(await linkOf(olderWaiting.stages[0]!.approvalId!), {
      headers: { accept: 'application/json' },
    });

    // Assess
    expect(superseded.stages[0]!.status).toBe('SUPERSEDED');
    expect(newerWaiting.stages[0]!.status).toBe('WAITING_FOR_APPROVAL');
    expect(oldLink.status).toBe(410);
    const pending = await api.get<{ items: { approvalId: string }[] }>('/v1/approvals?status=pending');
    expect(pending.body.items.map((a) => a.approvalId)).toContain(newerWaiting.stages[0]!.approvalId);
    expect(pending.body.items.map((a) => a.approvalId)).not.toContain(olderWaiting.stages[0]!.approvalId);
    await eventually(
      async () =>
        ofRun(String(older.body.runId)).includes('Approval Decided:SUPERSEDED:staging') ? true : undefined,
      'the event',
    );

    // Act: the user rejects the newer one from the dashboard (a JWT of the tenant)
    const rejected = await api.post(`/v1/approvals/${newerWaiting.stages[0]!.approvalId}`, {
      decision: 'reject',
      comment: 'not today',
    });
    const stopped = await runStatus(api, String(newer.body.runId), ['STOPPED']);

    // Assess
    expect(rejected).toMatchObject({
      status: 200,
      body: { status: 'REJECTED', decidedBy: 'acme-user', decidedVia: 'user' },
    });
    expect(stopped.stages[0]!.status).toBe('REJECTED');
  });

  test('50 concurrent copies of a delivery over HTTP: one run, one pipeline execution', async () => {
    // Prepare
    const stack = await stackWithStages(api, [], {});
    const payload = pushPayload();
    const pipelineStarts = () =>
      runtime.bus
        .recent()
        .filter(
          (e) =>
            e.source === 'aws.codepipeline' &&
            e.detail.state === 'STARTED' &&
            String(e.detail.pipeline).endsWith(stack.stackId),
        );

    // Act
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        deliver(runtime.url, stack.stackId, stack.webhookSecret, payload, {
          deliveryId: 'a1b2c3d4-0000-4000-8000-000000000050',
        }),
      ),
    );
    const runs = await api.get<{ items: RunBody[] }>(`/v1/stacks/${stack.stackId}/runs`);
    await runStatus(api, runs.body.items[0]!.runId, ['SUCCEEDED']);

    // Assess
    expect(replies.map((r) => r.status).sort()).toEqual([...Array(49).fill(200), 202]);
    expect(runs.body.items).toHaveLength(1);
    expect(pipelineStarts()).toHaveLength(1);
  });

  test('approval links: GET changes nothing; tampered 403; another tenant 404; used 410; a second decision 409', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const waiting = await runStatus(api, runId, ['WAITING_FOR_APPROVAL']);
    const approvalId = waiting.stages[0]!.approvalId!;
    const link = await linkOf(approvalId);
    const token = new URL(link).searchParams.get('token')!;
    const other = client(runtime.url, runtime.tokenFor('other-tenant'));

    // Act
    const page = await fetch(link, { headers: { accept: 'text/html' } });
    const html = await page.text();
    const asJson = await fetch(link, { headers: { accept: 'application/json' } });
    const tampered = await fetch(`${runtime.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', token: `${token.slice(0, -2)}xx` }),
    });
    const otherTenant = await other.post(`/v1/approvals/${approvalId}`, { decision: 'approve' });
    const noCredentials = await fetch(`${runtime.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    const stillWaiting = await api.get<RunBody>(`/v1/runs/${runId}`);
    const approvedByForm = await fetch(`${runtime.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, decision: 'approve', comment: 'ship it' }).toString(),
    });
    const linkAgain = await fetch(link, { headers: { accept: 'application/json' } });
    const postAgain = await fetch(`${runtime.url}/v1/approvals/${approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'reject', token }),
    });
    const secondDecision = await api.post(`/v1/approvals/${approvalId}`, { decision: 'reject' });
    const done = await runStatus(api, runId, ['SUCCEEDED']);

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<form method="post"');
    expect(html).toContain(waiting.commit.sha!.slice(0, 12));
    expect(await asJson.json()).toMatchObject({
      approvalId,
      status: 'PENDING',
      stageName: 'prod',
      requestedBy: 'octocat',
    });
    expect(tampered.status).toBe(403);
    expect(otherTenant.status).toBe(404);
    expect(noCredentials.status).toBe(401);
    expect(stillWaiting.body.status).toBe('WAITING_FOR_APPROVAL');
    expect(approvedByForm.status).toBe(200);
    expect(await approvedByForm.text()).toContain('Approved');
    expect(linkAgain.status).toBe(410);
    expect(postAgain.status).toBe(410);
    expect(secondDecision.status).toBe(409);
    expect(done.stages[0]!.status).toBe('SUCCEEDED');
    const approval = await api.get(`/v1/approvals/${approvalId}`);
    expect(approval.body).toMatchObject({ status: 'APPROVED', decidedVia: 'link', comment: 'ship it' });
  });

  test('Slack: a signed button click decides and updates the message; a stale or wrong signature is a 401', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const waiting = await runStatus(api, runId, ['WAITING_FOR_APPROVAL']);
    const approvalId = waiting.stages[0]!.approvalId!;
    const message = await eventually(
      async () =>
        runtime.pipelines.outbox.messages.find((m) => m.kind === 'slack' && m.link?.includes(approvalId)),
      'the Slack message',
    );
    const button = (
      JSON.parse(message.body) as {
        blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
      }
    ).blocks
      .find((b) => b.type === 'actions')!
      .elements!.find((e) => e.action_id === 'reject')!;
    const { signingSecret } = JSON.parse(
      (await runtime.pipelines.secrets.get(runtime.pipelines.deps.pipelineSettings.slackSecretName))!,
    ) as { signingSecret: string };
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0123ABCD', username: 'jdoe' },
        actions: [{ action_id: 'reject', value: button.value }],
        response_url: 'https://hooks.slack.com/actions/T000/1234/abcdefgh',
      }),
    }).toString();
    const post = (timestamp: number, signature: string) =>
      fetch(`${runtime.url}/v1/integrations/slack/interactions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signature,
        },
        body,
      });
    const now = Math.floor(Date.now() / 1000);

    // Act
    const stale = await post(now - 400, signSlackRequest(signingSecret, now - 400, body));
    const wrong = await post(now, signSlackRequest('not the secret', now, body));
    const clicked = await post(now, signSlackRequest(signingSecret, now, body));
    const stopped = await runStatus(api, runId, ['STOPPED']);

    // Assess
    expect(stale.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(clicked.status).toBe(200);
    expect(stopped.stages[0]!.status).toBe('REJECTED');
    const approval = await api.get(`/v1/approvals/${approvalId}`);
    expect(approval.body).toMatchObject({
      status: 'REJECTED',
      decidedBy: 'slack:U0123ABCD',
      decidedVia: 'slack',
    });
    const update = runtime.pipelines.outbox.messages.find(
      (m) => m.kind === 'slack-update' && m.subject.includes('Rejected by <@U0123ABCD>'),
    );
    expect(update?.to).toBe('https://hooks.slack.com/actions/T000/1234/abcdefgh');
  });
});
