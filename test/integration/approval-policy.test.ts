import type { BusEvent } from '../../src/local/bus';
import type { Runtime } from '../../src/local/runtime';
import { client, type Client } from '../support/client';
import { validateEvent } from '../support/event-schemas';
import {
  deliver,
  eventually,
  pipelineRuntime,
  pushPayload,
  runStatus,
  stackWithStages,
} from '../support/pipeline';

interface ApprovalBody {
  status: string;
  required: number;
  approvals: { by: string; via: string }[];
  you: { by: string; mayApprove: boolean; reason: string | null } | null;
  error?: { message: string };
}

/**
 * Approval policies on the embedded runtime: the real pipeline-run workflow (one WaitForApproval,
 * whatever `required` is), the approvals routes with real tokens and links, the outbox.
 */
describe('approval policies', () => {
  let runtime: Runtime;
  let api: Client;
  let events: BusEvent[];

  beforeAll(async () => {
    ({ runtime, api, events } = await pipelineRuntime());
  });
  afterAll(async () => {
    await runtime.close();
  });

  /** A user of the tenant, with an email in their token. */
  const userWith = (userId: string, email?: string) =>
    client(runtime.url, runtime.tokenFor('acme', userId, email));

  /** The link emailed to `to` for the approval. */
  const linkTo = (approvalId: string, to: string) =>
    eventually(
      async () =>
        runtime.pipelines.outbox.messages.find(
          (m) => m.kind === 'email' && m.to === to && m.link?.includes(approvalId),
        )?.link,
      `the email of ${approvalId} to ${to}`,
    );

  test('a stage needing two approvers waits after one, refuses the author, and deploys after the second', async () => {
    // Prepare: prod needs two approvals, not by the author; mona pushes
    const stack = await stackWithStages(api, [{ name: 'dev' }, { name: 'prod', approval: { required: 2 } }], {
      emails: ['lead@example.com', 'ops@example.com'],
    });
    const pushed = await deliver(
      runtime.url,
      stack.stackId,
      stack.webhookSecret,
      pushPayload({ author: { login: 'mona', email: 'mona@example.com' } }),
    );
    const runId = pushed.body.runId as string;
    const waitingRun = await runStatus(api, runId, ['WAITING_FOR_APPROVAL']);
    const approvalId = waitingRun.stages[1]!.approvalId!;

    // Act
    const byAuthor = await userWith('mona-sub', 'mona@example.com').post<ApprovalBody>(
      `/v1/approvals/${approvalId}`,
      { decision: 'approve' },
    );
    const byAuthorLogin = await userWith('mona').post<ApprovalBody>(`/v1/approvals/${approvalId}`, {
      decision: 'approve',
    });
    const first = await fetch(await linkTo(approvalId, 'lead@example.com'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        decision: 'approve',
        token: new URL(await linkTo(approvalId, 'lead@example.com')).searchParams.get('token')!,
      }).toString(),
    });
    const afterOne = await api.get<ApprovalBody>(`/v1/approvals/${approvalId}`);
    const runAfterOne = await api.get<{ status: string }>(`/v1/runs/${runId}`);
    const second = await userWith('u-ops', 'ops@example.com').post<ApprovalBody>(
      `/v1/approvals/${approvalId}`,
      {
        decision: 'approve',
        comment: 'ship it',
      },
    );
    const done = await runStatus(api, runId, ['SUCCEEDED']);

    // Assess
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.error?.message).toMatch(/author of this change/);
    expect(byAuthorLogin.status).toBe(403);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('1 of 2');
    expect(afterOne.body).toMatchObject({
      status: 'PENDING',
      required: 2,
      approvals: [{ by: 'lead@example.com', via: 'link' }],
    });
    expect(runAfterOne.body.status).toBe('WAITING_FOR_APPROVAL');
    expect(second.body).toMatchObject({ status: 'APPROVED', decidedBy: 'ops@example.com' });
    expect(done.stages.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // One WaitForApproval, however many approvals it waited for: build 8, two stages 11 each, the
    // approval 9 (its plan included), the end 4, as for a one-approval stage (README, State transitions of a run).
    expect(runtime.workflows.execution(runId)!.stateTransitions).toBe(43);
    const ofApproval = events.filter((e) => e.detail.approvalId === approvalId);
    expect(ofApproval.map((e) => `${e['detail-type']}:${String(e.detail.status ?? e.detail.count)}`)).toEqual(
      ['Approval Requested:PENDING', 'Approval Recorded:1', 'Approval Decided:APPROVED'],
    );
    expect(ofApproval.at(-1)!.detail.approvedBy).toEqual(['lead@example.com', 'ops@example.com']);
    for (const event of ofApproval) expect(validateEvent(event)).toEqual([]);
  });

  test('with approvers listed, each gets a link of their own; someone else of the tenant gets a 403', async () => {
    // Prepare
    const stack = await stackWithStages(
      api,
      [{ name: 'prod', approval: { required: 1, approvers: ['alice@example.com', 'bob-sub'] } }],
      { emails: ['lead@example.com'] },
    );
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = pushed.body.runId as string;
    const approvalId = (await runStatus(api, runId, ['WAITING_FOR_APPROVAL'])).stages[0]!.approvalId!;

    // Act
    const aliceLink = await linkTo(approvalId, 'alice@example.com');
    const leadLink = await linkTo(approvalId, 'lead@example.com');
    const leadPage = await fetch(leadLink, { headers: { accept: 'text/html' } });
    const outsider = await api.post<ApprovalBody>(`/v1/approvals/${approvalId}`, { decision: 'approve' });
    const listed = await userWith('bob-sub').post<ApprovalBody>(`/v1/approvals/${approvalId}`, {
      decision: 'approve',
    });

    // Assess
    expect(aliceLink).not.toBe(leadLink);
    expect(await leadPage.text()).toMatch(/lead@example.com is not one of them/);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error?.message).toMatch(/acme-user is not one of them/);
    expect(listed.body.status).toBe('APPROVED');
    await runStatus(api, runId, ['SUCCEEDED']);
  });

  test('a stage’s policy is shown, replaced whole by PATCH, and removed by null; contradictions are a 400', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'qa', requireApproval: true }]);
    const stagePath = `/v1/stacks/${stack.stackId}/stages/qa`;

    // Act
    const shorthand = await api.get<{ settings: Record<string, unknown> }>(stagePath);
    const contradiction = await api.patch<{ error: { field: string } }>(stagePath, {
      requireApproval: false,
      approval: { required: 2 },
    });
    const tooMany = await api.patch<{ error: { field: string } }>(stagePath, {
      approval: { required: 3, approvers: ['a@example.com', 'b@example.com'] },
    });
    const patched = await api.patch<{ operation: { operationId: string } }>(stagePath, {
      approval: { required: 2, approvers: ['a@example.com', 'b@example.com'] },
    });
    await api.operationEnd(patched.body.operation.operationId);
    const withPolicy = await api.get<{ settings: Record<string, unknown> }>(stagePath);
    const removed = await api.patch<{ operation: { operationId: string } }>(stagePath, { approval: null });
    await api.operationEnd(removed.body.operation.operationId);
    const without = await api.get<{ settings: Record<string, unknown> }>(stagePath);

    // Assess
    expect(shorthand.body.settings).toMatchObject({
      requireApproval: true,
      approval: { required: 1, approvers: null, allowSelfApproval: true },
    });
    expect([contradiction.status, contradiction.body.error.field]).toEqual([400, 'requireApproval']);
    expect([tooMany.status, tooMany.body.error.field]).toEqual([400, 'approval.required']);
    expect(withPolicy.body.settings).toMatchObject({
      requireApproval: true,
      approval: { required: 2, approvers: ['a@example.com', 'b@example.com'], allowSelfApproval: false },
    });
    expect(without.body.settings).toMatchObject({ requireApproval: false, approval: null });
  });
});
