import { slackInteractionsRoute } from '../../../src/api/webhooks';
import { approvalLink } from '../../../src/app/approval-links';
import { accessOf, decideApproval, showApproval, type ApprovalAccess } from '../../../src/app/approvals';
import type { TaskDelivery } from '../../../src/cloud/errors';
import type { PlatformEvent, WorkflowPort } from '../../../src/cloud/ports';
import { SecretCache } from '../../../src/cloud/secret-cache';
import type { ApprovalPolicy } from '../../../src/domain/approval-policy';
import { DomainError } from '../../../src/domain/errors';
import { buttonValue, signSlackRequest } from '../../../src/domain/slack';
import { LocalEventBus } from '../../../src/local/bus';
import type { ApprovalStore, StoredApproval } from '../../../src/store/approvals';
import {
  pendingApproval,
  RecordingNotifications,
  secretsWithLinkKey,
  SETTINGS,
  useApprovalStore,
} from '../../support/approvals';
import { validateEvent } from '../../support/event-schemas';

const STACK = { tenantId: 'acme', stackId: 'stk_01jn8jc080jdpw4jc4hepvfnvh', name: 'shop' };
const SIGNING_SECRET = 'slack-signing-secret';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T000/1234/abcdefgh';

/** The waiting workflow: what it was told, and how often. */
class FakeWorkflows implements WorkflowPort {
  readonly successes: { taskToken: string; output: unknown }[] = [];
  readonly failures: { taskToken: string; error: string; cause: string }[] = [];
  async start(): Promise<never> {
    throw new Error('not used by approvals');
  }
  async sendTaskSuccess(taskToken: string, output: unknown): Promise<TaskDelivery> {
    this.successes.push({ taskToken, output });
    return 'delivered';
  }
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<TaskDelivery> {
    this.failures.push({ taskToken, error, cause });
    return 'delivered';
  }
}

const store = useApprovalStore();
let approvals: ApprovalStore;
let workflows: FakeWorkflows;
let published: PlatformEvent[];
let platformSecrets: SecretCache;
let notifications: RecordingNotifications;

const deps = () => ({
  approvals,
  workflows,
  bus: { publish: async (events: PlatformEvent[]) => void published.push(...events) },
  platformSecrets,
  notifications,
  pipelineSettings: SETTINGS,
  jwtVerifier: { verify: async () => undefined },
});

beforeEach(() => {
  approvals = store();
  workflows = new FakeWorkflows();
  published = [];
  const secrets = secretsWithLinkKey();
  secrets.values.set(SETTINGS.slackSecretName, JSON.stringify({ signingSecret: SIGNING_SECRET }));
  platformSecrets = new SecretCache(secrets);
  notifications = new RecordingNotifications();
});

const TWO: ApprovalPolicy = { required: 2, approvers: null, allowSelfApproval: false };

/** A waiting approval (its task token parked) of a change by mona (mona@example.com, login `mona`). */
async function waiting(policy: ApprovalPolicy, fields: Partial<StoredApproval> = {}) {
  const approval = await pendingApproval(approvals, STACK, {
    policy,
    author: { logins: ['mona'], emails: ['mona@example.com'] },
    emailLinks: { 'nonce-alice': 'alice@example.com', 'nonce-bob': 'bob@example.com' },
    ...fields,
  });
  await approvals.parkApprovalToken('acme', approval.approvalId, 'token-1');
  return approval;
}

const user = (userId: string, email?: string): ApprovalAccess => ({
  via: 'user',
  tenantId: 'acme',
  userId,
  ...(email ? { email } : {}),
});
const link = (nonce: string): ApprovalAccess => ({ via: 'link', tenantId: 'acme', nonce });

/** The error a decision fails with: status, code and message. */
async function refusal(decision: Promise<unknown>) {
  const error = await decision.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw error ?? new Error('the decision was not refused');
  return { status: error.status, reason: error.details.reason, message: error.message };
}

describe('N distinct approvals', () => {
  test('the first of two is recorded and the run waits; the second decides and resumes it, once', async () => {
    // Prepare
    const approval = await waiting(TWO);

    // Act
    const first = await decideApproval(deps(), approval.approvalId, link('nonce-alice'), {
      decision: 'approve',
      comment: 'looks good',
    });
    const afterFirst = workflows.successes.length;
    const second = await decideApproval(deps(), approval.approvalId, user('u-bob', 'bob@example.com'), {
      decision: 'approve',
    });

    // Assess
    expect(first.status).toBe('PENDING');
    expect(first.approvals).toEqual([
      { by: 'alice@example.com', via: 'link', at: expect.any(String), comment: 'looks good' },
    ]);
    expect(afterFirst).toBe(0);
    expect(second).toMatchObject({ status: 'APPROVED', decidedBy: 'bob@example.com', decidedVia: 'user' });
    expect(workflows.successes).toEqual([
      {
        taskToken: 'token-1',
        output: {
          decision: 'APPROVED',
          decidedBy: 'bob@example.com',
          approvedBy: ['alice@example.com', 'bob@example.com'],
        },
      },
    ]);
    const stored = await approvals.getApproval('acme', approval.approvalId);
    expect(stored?.approvals?.map((a) => a.by)).toEqual(['alice@example.com', 'bob@example.com']);
    expect(stored?.emailLinks).toBeUndefined();
  });

  test('each approval that counts without deciding is an Approval Recorded event that matches its schema', async () => {
    // Prepare
    const approval = await waiting(TWO);
    const bus = new LocalEventBus('us-east-1', '111122223333');

    // Act
    await decideApproval(deps(), approval.approvalId, link('nonce-alice'), { decision: 'approve' });
    await decideApproval(deps(), approval.approvalId, user('u-bob'), { decision: 'approve' });
    await bus.publish(published);
    const putOnBus = bus.recent();

    // Assess
    expect(published.map((e) => [e.detailType, e.detail.by, e.detail.count, e.detail.required])).toEqual([
      ['Approval Recorded', 'alice@example.com', 1, 2],
    ]);
    expect(putOnBus).toHaveLength(1);
    for (const event of putOnBus) expect(validateEvent(event)).toEqual([]);
  });

  test('one person counts once: a user with an email is the same person as their email link (409)', async () => {
    // Prepare
    const approval = await waiting(TWO);
    await decideApproval(deps(), approval.approvalId, user('u-alice', 'alice@example.com'), {
      decision: 'approve',
    });

    // Act
    const again = await refusal(
      decideApproval(deps(), approval.approvalId, link('nonce-alice'), { decision: 'approve' }),
    );

    // Assess
    expect(again).toMatchObject({ status: 409, reason: 'already-approved' });
    expect(workflows.successes).toEqual([]);
  });

  test('10 people approving at once, 2 required: exactly 2 count, the run resumes once, 8 are told 409', async () => {
    // Prepare
    const approval = await waiting(TWO);
    const people = Array.from({ length: 10 }, (_, i) => user(`u-${i}`, `person${i}@example.com`));

    // Act
    const outcomes = await Promise.allSettled(
      people.map((access) => decideApproval(deps(), approval.approvalId, access, { decision: 'approve' })),
    );

    // Assess
    const refused = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o.reason as DomainError).status);
    expect(refused).toEqual(Array(8).fill(409));
    expect(workflows.successes).toHaveLength(1);
    const stored = await approvals.getApproval('acme', approval.approvalId);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.approvals).toHaveLength(2);
    expect(new Set(stored?.approvedBy)).toEqual(
      new Set((workflows.successes[0]!.output as { approvedBy: string[] }).approvedBy),
    );
  });

  test('one person approving 5 times at once (dashboard and link) counts once', async () => {
    // Prepare
    const approval = await waiting(TWO);
    const clicks = [0, 1, 2, 3, 4].map((i) =>
      i % 2 ? user('u-alice', 'alice@example.com') : link('nonce-alice'),
    );

    // Act
    await Promise.allSettled(
      clicks.map((access) => decideApproval(deps(), approval.approvalId, access, { decision: 'approve' })),
    );

    // Assess
    const stored = await approvals.getApproval('acme', approval.approvalId);
    expect(stored?.approvals?.map((a) => a.by)).toEqual(['alice@example.com']);
    expect(stored?.status).toBe('PENDING');
    expect(workflows.successes).toEqual([]);
  });

  test('one reject stops it at once, whatever was approved before', async () => {
    // Prepare
    const approval = await waiting(TWO);
    await decideApproval(deps(), approval.approvalId, user('u-alice'), { decision: 'approve' });

    // Act
    const rejected = await decideApproval(deps(), approval.approvalId, link('nonce-bob'), {
      decision: 'reject',
      comment: 'not today',
    });

    // Assess
    expect(rejected).toMatchObject({
      status: 'REJECTED',
      decidedBy: 'bob@example.com',
      comment: 'not today',
    });
    expect(workflows.failures).toEqual([
      { taskToken: 'token-1', error: 'ApprovalRejected', cause: 'bob@example.com' },
    ]);
    expect(workflows.successes).toEqual([]);
  });

  test('an approval filled but not settled (a crash between the two writes) is finished by the next one to try', async () => {
    // Prepare: both approvals recorded, the settle never happened
    const approval = await waiting(TWO);
    const entry = (by: string) => ({ by, via: 'user' as const, at: new Date().toISOString() });
    await approvals.recordApproval('acme', approval.approvalId, entry('u-1'), 2);
    await approvals.recordApproval('acme', approval.approvalId, entry('u-2'), 2);

    // Act
    const late = await refusal(
      decideApproval(deps(), approval.approvalId, user('u-3'), { decision: 'approve' }),
    );

    // Assess: u-3 is not counted, but the approval is settled and the run resumed
    expect(late.status).toBe(409);
    expect((await approvals.getApproval('acme', approval.approvalId))?.status).toBe('APPROVED');
    expect(workflows.successes).toHaveLength(1);
  });
});

describe('who may approve', () => {
  test.each([
    ['by the email claim', user('u-9', 'mona@example.com')],
    ['by a sub equal to the GitHub login', user('Mona')],
    ['by the link sent to their email', link('nonce-mona')],
  ])('the author may not approve their own change (403), %s; they may reject it', async (_, access) => {
    // Prepare
    const approval = await waiting(TWO, {
      emailLinks: { 'nonce-alice': 'alice@example.com', 'nonce-mona': 'mona@example.com' },
    });

    // Act
    const approve = await refusal(
      decideApproval(deps(), approval.approvalId, access, { decision: 'approve' }),
    );
    const reject = await decideApproval(deps(), approval.approvalId, access, { decision: 'reject' });

    // Assess
    expect(approve).toMatchObject({
      status: 403,
      reason: 'author',
      message: expect.stringContaining('author'),
    });
    expect(reject.status).toBe('REJECTED');
  });

  test('with approvers listed, a user of the tenant not listed gets a 403 that says so', async () => {
    // Prepare
    const approval = await waiting({
      required: 1,
      approvers: ['alice@example.com'],
      allowSelfApproval: false,
    });

    // Act
    const outsider = await refusal(
      decideApproval(deps(), approval.approvalId, user('u-carol', 'carol@example.com'), {
        decision: 'approve',
      }),
    );
    const notListedLink = await refusal(
      decideApproval(deps(), approval.approvalId, link('nonce-bob'), { decision: 'approve' }),
    );
    const listed = await decideApproval(deps(), approval.approvalId, link('nonce-alice'), {
      decision: 'approve',
    });

    // Assess
    expect(outsider).toMatchObject({
      status: 403,
      reason: 'not-listed',
      message: expect.stringContaining('carol@example.com is not one of them'),
    });
    expect(notListedLink).toMatchObject({ status: 403, reason: 'not-listed' });
    expect(listed.status).toBe('APPROVED');
  });

  test('an email link decides once: after its approval it answers 410', async () => {
    // Prepare
    const approval = await waiting(TWO);
    await decideApproval(deps(), approval.approvalId, link('nonce-alice'), { decision: 'approve' });

    // Act
    const shown = await refusal(showApproval(deps(), approval.approvalId, link('nonce-alice')));
    const reused = await refusal(
      decideApproval(deps(), approval.approvalId, link('nonce-alice'), { decision: 'reject' }),
    );

    // Assess
    expect([shown.status, reused.status]).toEqual([410, 410]);
    expect(workflows.failures).toEqual([]);
  });

  test('what the page and the dashboard show each holder: may approve, may only reject, and why', async () => {
    // Prepare
    const approval = await waiting(TWO);
    await decideApproval(deps(), approval.approvalId, user('u-alice', 'alice@example.com'), {
      decision: 'approve',
    });

    // Act
    const alice = await showApproval(deps(), approval.approvalId, user('u-alice', 'alice@example.com'));
    const mona = await showApproval(deps(), approval.approvalId, user('mona'));
    const bob = await showApproval(deps(), approval.approvalId, link('nonce-bob'));
    const slackLink = await showApproval(deps(), approval.approvalId, link('nonce-1'));

    // Assess
    expect(alice.viewer).toMatchObject({
      by: 'alice@example.com',
      mayApprove: false,
      mayReject: true,
      reason: expect.stringContaining('already approved'),
    });
    expect(mona.viewer).toMatchObject({
      mayApprove: false,
      mayReject: true,
      reason: expect.stringContaining('author'),
    });
    expect(bob.viewer).toEqual({ by: 'bob@example.com', mayApprove: true, mayReject: true });
    expect(slackLink.viewer).toBeUndefined();
  });

  test('the Slack message’s token, used as a link, decides nothing: only Slack’s buttons do', async () => {
    // Prepare
    const approval = await waiting(TWO);
    const { token } = await approvalLink({ platformSecrets, pipelineSettings: SETTINGS }, approval);
    const access = await accessOf(deps(), approval.approvalId, { token });

    // Act
    const decided = await refusal(
      decideApproval(deps(), approval.approvalId, access, { decision: 'approve' }),
    );

    // Assess
    expect(decided.status).toBe(403);
  });

  test('an approval recorded before policies: its one shared link decides, once, as `approval link`', async () => {
    // Prepare
    const old = await pendingApproval(approvals, STACK, {
      policy: undefined,
      author: undefined,
      emailLinks: undefined,
    });
    await approvals.parkApprovalToken('acme', old.approvalId, 'token-old');

    // Act
    const decided = await decideApproval(deps(), old.approvalId, link('nonce-1'), { decision: 'approve' });
    const again = await refusal(showApproval(deps(), old.approvalId, link('nonce-1')));

    // Assess
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: 'approval link', decidedVia: 'link' });
    expect(workflows.successes).toHaveLength(1);
    expect(again.status).toBe(410);
  });
});

describe('Slack', () => {
  /** A signed click on the approval's Slack button by member `userId`, as Slack posts it. */
  async function click(approval: StoredApproval, action: 'approve' | 'reject', userId: string) {
    const { token } = await approvalLink({ platformSecrets, pipelineSettings: SETTINGS }, approval);
    const rawBody = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: userId, username: userId.toLowerCase() },
        actions: [{ action_id: action, value: buttonValue(approval.approvalId, token) }],
        response_url: RESPONSE_URL,
      }),
    }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    return slackInteractionsRoute.handle(
      {
        caller: { tenantId: '', userId: '' },
        params: undefined,
        query: undefined,
        body: undefined,
        headers: {
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, rawBody),
        },
        rawBody,
      },
      deps(),
    );
  }

  test('a click that counts but does not decide updates the message with who approved, buttons kept', async () => {
    // Prepare
    const approval = await waiting({ ...TWO, allowSelfApproval: true });

    // Act
    await click(approval, 'approve', 'U0AAAAAAA');

    // Assess
    expect(workflows.successes).toEqual([]);
    expect(notifications.slackRefreshes).toHaveLength(1);
    const { message } = notifications.slackRefreshes[0]!;
    expect(message.approvals).toEqual([{ by: 'slack:U0AAAAAAA', via: 'slack', at: expect.any(String) }]);
    expect(message.buttonValue).toContain(approval.approvalId);
  });

  test('two Slack members’ clicks make two approvals; the same member twice is told so, privately', async () => {
    // Prepare
    const approval = await waiting({ ...TWO, allowSelfApproval: true });
    await click(approval, 'approve', 'U0AAAAAAA');

    // Act
    await click(approval, 'approve', 'U0AAAAAAA');
    const afterRepeat = workflows.successes.length;
    await click(approval, 'approve', 'U0BBBBBBB');

    // Assess
    expect(afterRepeat).toBe(0);
    expect(notifications.slackResponses[0]).toMatchObject({
      mode: 'ephemeral',
      text: expect.stringContaining('already approved'),
    });
    expect(workflows.successes).toHaveLength(1);
    expect(notifications.slackResponses.at(-1)).toMatchObject({
      mode: 'replace',
      text: expect.stringContaining('Approved by <@U0BBBBBBB>'),
    });
  });

  test('where self-approval is off, an unlisted Slack member cannot approve (private note); a listed one can', async () => {
    // Prepare
    const open = await waiting(TWO);
    const listed = await waiting({ required: 1, approvers: ['slack:U0CCCCCCC'], allowSelfApproval: false });

    // Act
    await click(open, 'approve', 'U0AAAAAAA');
    await click(listed, 'approve', 'U0CCCCCCC');

    // Assess
    expect(notifications.slackResponses[0]).toMatchObject({
      mode: 'ephemeral',
      text: expect.stringContaining('cannot be checked against the change’s author'),
    });
    expect((await approvals.getApproval('acme', open.approvalId))?.approvals).toEqual([]);
    expect((await approvals.getApproval('acme', listed.approvalId))?.status).toBe('APPROVED');
  });
});
