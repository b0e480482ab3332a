import { randomBytes } from 'node:crypto';
import { changeSetNameOf } from '../../src/domain/pipeline';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, type Client } from '../support/client';
import {
  deliver,
  eventually,
  pushPayload,
  runStatus,
  stackWithStages,
  type RunBody,
} from '../support/pipeline';

interface ApprovalBody {
  approvalId: string;
  status: string;
  closedReason: string | null;
  replacedBy: string | null;
  changes: {
    image: { from: string | null; to: string };
    commits: { compareUrl: string | null; count?: number };
    environment: { added: string[]; removed: string[]; changed: string[] };
    resources: { logicalId: string; type: string; action: string; replacement: string | null }[];
  } | null;
}

/**
 * Issue 13 §3 on the embedded runtime: a deploy behind an approval is planned as a change set
 * (the simulated CloudFormation computes it from the two templates), the approval shows it,
 * approving executes that very change set, rejecting deletes it, and a stale plan is planned again.
 */
describe('a deploy planned before its approval', () => {
  let runtime: Runtime;
  let api: Client;

  beforeAll(async () => {
    runtime = await startRuntime({
      port: 0,
      stackDelayMs: 10,
      buildDelayMs: 30,
      approvalTimeoutSeconds: 3600,
    });
    api = client(runtime.url, runtime.tokenFor('acme'));
  });
  afterAll(async () => {
    await runtime.close();
  });

  const waitingApproval = async (runId: string) => {
    const run = await runStatus(api, runId, ['WAITING_FOR_APPROVAL', 'FAILED', 'STOPPED']);
    const approvalId = run.stages.find((s) => s.status === 'WAITING_FOR_APPROVAL')?.approvalId;
    if (!approvalId) throw new Error(`no approval waits: ${JSON.stringify(run)}`);
    return (await api.get<ApprovalBody>(`/v1/approvals/${approvalId}`)).body;
  };
  /** The approval is decided once the run waits for it (before, a decision is a 409 "not waiting yet"). */
  const decide = (approvalId: string, decision: 'approve' | 'reject') =>
    eventually(async () => {
      const reply = await api.post<ApprovalBody>(`/v1/approvals/${approvalId}`, { decision });
      return reply.status === 409 && JSON.stringify(reply.body).includes('not waiting yet')
        ? undefined
        : reply;
    }, `a decision on ${approvalId}`);
  const cfnStackOf = async (stackId: string, stageName: string) =>
    (await runtime.store.requireStage('acme', stackId, stageName)).cfnStackName;
  const changeSetsOf = async (cfnStackName: string) =>
    (await runtime.cloudFormation.listChangeSets({ StackName: cfnStackName }, 'us-east-1')).Summaries ?? [];

  test('the approval shows the image, the commits and the resources; approving executes that change set', async () => {
    // Prepare: prod runs a first push; the second push adds two commits on top of it
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const first = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const firstApproval = await waitingApproval(String(first.body.runId));
    expect((await decide(firstApproval.approvalId, 'approve')).status).toBe(200);
    const firstRun = await runStatus(api, String(first.body.runId), ['SUCCEEDED', 'FAILED', 'STOPPED']);
    const sha = randomBytes(20).toString('hex');
    const second = {
      ...pushPayload({ sha }),
      before: firstRun.commit.sha,
      commits: [{ id: randomBytes(20).toString('hex') }, { id: sha }],
    };

    // Act
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, second);
    const runId = String(pushed.body.runId);
    const approval = await waitingApproval(runId);
    const decided = await decide(approval.approvalId, 'approve');
    const done = await runStatus(api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);

    // Assess
    expect(firstRun.status).toBe('SUCCEEDED');
    expect(approval.changes).toMatchObject({
      image: { from: firstRun.imageUri, to: done.imageUri },
      commits: {
        compareUrl: `https://github.com/acme/shop/compare/${firstRun.commit.sha}...${sha}`,
        count: 2,
      },
      environment: { added: [], removed: [], changed: [] },
    });
    expect(approval.changes!.resources).toContainEqual({
      logicalId: expect.any(String),
      type: 'AWS::ECS::TaskDefinition',
      action: 'Modify',
      replacement: 'True',
    });
    expect(decided.status).toBe(200);
    expect(done).toMatchObject({ status: 'SUCCEEDED', error: null });
    const cfnStackName = await cfnStackOf(stack.stackId, 'prod');
    const { Stacks } = await runtime.cloudFormation.describeStacks({ StackName: cfnStackName }, 'us-east-1');
    expect(Stacks?.[0]?.ChangeSetId).toContain(`:changeSet/${changeSetNameOf(runId, 'prod', 1)}/`);
    expect(Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
  });

  test('rejecting stops the run and deletes the planned change set', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const approval = await waitingApproval(runId);
    const cfnStackName = await cfnStackOf(stack.stackId, 'prod');
    const planned = await changeSetsOf(cfnStackName);

    // Act
    const decided = await decide(approval.approvalId, 'reject');
    const done = await runStatus(api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);
    const left = await eventually(
      async () => ((await changeSetsOf(cfnStackName)).length === 0 ? [] : undefined),
      'the change set to be deleted',
    );

    // Assess
    expect(planned.map((c) => [c.ChangeSetName, c.Status, c.ExecutionStatus])).toEqual([
      [changeSetNameOf(runId, 'prod', 1), 'CREATE_COMPLETE', 'AVAILABLE'],
    ]);
    expect(decided.status).toBe(200);
    expect(done.status).toBe('STOPPED');
    expect(left).toEqual([]);
  });

  test('settings changed while the run waits: the deploy is planned again with them and a new approval shows them', async () => {
    // Prepare
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const before = await waitingApproval(runId);

    // Act
    const patched = await api.patch<{ operation: { operationId: string; status: string } }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
      { environment: { FEATURE_FLAGS: 'checkout-v2' } },
    );
    const replanned = await eventually(async () => {
      const approval = (await api.get<ApprovalBody>(`/v1/approvals/${before.approvalId}`)).body;
      return approval.replacedBy ? approval : undefined;
    }, 'the approval to be replaced');
    const after = (await api.get<ApprovalBody>(`/v1/approvals/${replanned.replacedBy!}`)).body;
    const email = await eventually(
      async () =>
        runtime.pipelines.outbox.messages.find(
          (m) => m.kind === 'email' && m.link?.includes(after.approvalId),
        ),
      'the new approval email',
    );
    const stale = await api.post(`/v1/approvals/${before.approvalId}`, { decision: 'approve' });
    await decide(after.approvalId, 'approve');
    const done = await runStatus(api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);
    const operation = await api.operationEnd(patched.body.operation.operationId);
    const stage = await api.get<{ settings: { environment: Record<string, string> } }>(
      `/v1/stacks/${stack.stackId}/stages/prod`,
    );

    // Assess
    expect(patched.status).toBe(202);
    expect(patched.body.operation.status).toBe('PENDING');
    expect(replanned).toMatchObject({
      status: 'REPLANNED',
      closedReason: expect.stringContaining('settings'),
    });
    expect(after.changes?.environment).toEqual({ added: ['FEATURE_FLAGS'], removed: [], changed: [] });
    expect(email.body).toContain('Variables: added FEATURE_FLAGS');
    expect(stale.status).toBe(410);
    expect(done.status).toBe('SUCCEEDED');
    expect(operation.status).toBe('SUCCEEDED');
    expect(stage.body.settings.environment).toEqual({ FEATURE_FLAGS: 'checkout-v2' });
    const runView = (
      await api.get<RunBody & { stages: { replannedApprovals: { approvalId: string }[] }[] }>(
        `/v1/runs/${runId}`,
      )
    ).body;
    expect(runView.stages[0]!.replannedApprovals.map((r) => r.approvalId)).toEqual([before.approvalId]);
    const cfnStackName = await cfnStackOf(stack.stackId, 'prod');
    const { Stacks } = await runtime.cloudFormation.describeStacks({ StackName: cfnStackName }, 'us-east-1');
    expect(Stacks?.[0]?.ChangeSetId).toContain(`:changeSet/${changeSetNameOf(runId, 'prod', 2)}/`);
  });

  test('a stack updated after the plan: approving plans again and asks again instead of deploying past the reviewer', async () => {
    // Prepare: the stage's stack is updated out of band while the approval waits
    const stack = await stackWithStages(api, [{ name: 'prod', requireApproval: true }]);
    const pushed = await deliver(runtime.url, stack.stackId, stack.webhookSecret, pushPayload());
    const runId = String(pushed.body.runId);
    const first = await waitingApproval(runId);
    const cfnStackName = await cfnStackOf(stack.stackId, 'prod');
    await runtime.cloudFormation.updateStack(
      {
        StackName: cfnStackName,
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        Tags: [{ Key: 'changed-by', Value: 'someone-else' }],
      },
      'us-east-1',
    );
    await eventually(async () => {
      const { Stacks } = await runtime.cloudFormation.describeStacks(
        { StackName: cfnStackName },
        'us-east-1',
      );
      return Stacks?.[0]?.StackStatus === 'UPDATE_COMPLETE' ? true : undefined;
    }, 'the out-of-band update');

    // Act
    await decide(first.approvalId, 'approve');
    const second = await eventually(async () => {
      const run = (await api.get<RunBody>(`/v1/runs/${runId}`)).body;
      const id = run.stages[0]!.approvalId;
      return run.status === 'WAITING_FOR_APPROVAL' && id !== first.approvalId ? id : undefined;
    }, 'a new approval');
    const replaced = (await api.get<ApprovalBody>(`/v1/approvals/${first.approvalId}`)).body;
    await decide(second!, 'approve');
    const done = await runStatus(api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED']);

    // Assess
    expect(replaced).toMatchObject({
      status: 'REPLANNED',
      replacedBy: second,
      closedReason: expect.stringContaining('changed after the deploy was planned'),
    });
    expect(done.status).toBe('SUCCEEDED');
    const { Stacks } = await runtime.cloudFormation.describeStacks({ StackName: cfnStackName }, 'us-east-1');
    expect(Stacks?.[0]?.ChangeSetId).toContain(`:changeSet/${changeSetNameOf(runId, 'prod', 2)}/`);
  });
});
