import { SecretCache } from '../../../src/cloud/secret-cache';
import { newId } from '../../../src/domain/ids';
import { verifyLinkToken } from '../../../src/domain/link-token';
import { webhookSecretNameOf } from '../../../src/domain/pipeline';
import { parseButtonValue } from '../../../src/domain/slack';
import type { Stack } from '../../../src/domain/stack';
import type { ApprovalStore } from '../../../src/store/approvals';
import type { Store } from '../../../src/store/store';
import { sendApprovalRequest, waitForApproval } from '../../../src/tasks/pipeline-steps';
import {
  LINK_KEY,
  type MemorySecrets,
  pendingApproval as approvalOf,
  RecordingNotifications,
  secretsWithLinkKey,
  SETTINGS,
  useApprovalStore,
} from '../../support/approvals';
import { captureLogs } from '../../support/logs';

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXX';

const store = useApprovalStore();
let approvals: ApprovalStore;
let secrets: MemorySecrets;
let notifications: RecordingNotifications;
let stack: Stack;
let logs: ReturnType<typeof captureLogs>;

const stackStore = { requireStack: async () => stack } as unknown as Store;
const deps = () => ({
  store: stackStore,
  approvals,
  notifications,
  platformSecrets: new SecretCache(secrets),
  pipelineSettings: SETTINGS,
});

const pendingApproval = () => approvalOf(approvals, stack);

beforeEach(() => {
  approvals = store();
  secrets = secretsWithLinkKey();
  notifications = new RecordingNotifications();
  stack = {
    tenantId: 'acme',
    stackId: newId('stk'),
    name: 'shop',
    repository: 'acme/shop',
    branch: 'main',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
    stageCount: 3,
    notifications: { emails: ['ops@example.com'], slack: true },
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  secrets.values.set(
    webhookSecretNameOf(SETTINGS.secretPrefix, stack.stackId),
    JSON.stringify({ tenantId: 'acme', secret: 'gh', slackWebhookUrl: SLACK_URL }),
  );
  logs = captureLogs();
});

afterEach(() => logs.restore());

describe('sendApprovalRequest', () => {
  test('emails and posts to Slack a link whose token verifies for this approval only', async () => {
    // Prepare
    const approval = await pendingApproval();

    // Act
    const result = await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    expect(result.sent.sort()).toEqual(['email', 'slack']);
    expect(notifications.sent.map((s) => [s.channel, s.to])).toEqual(
      expect.arrayContaining([
        ['email', 'ops@example.com'],
        ['slack', SLACK_URL],
      ]),
    );
    const sentBy = (channel: string) => notifications.sent.find((s) => s.channel === channel)!.message;
    const link = new URL(sentBy('email').link);
    expect(link.origin + link.pathname).toBe(`${SETTINGS.publicApiUrl}/v1/approvals/${approval.approvalId}`);
    const check = verifyLinkToken(LINK_KEY, link.searchParams.get('token')!);
    expect(check).toMatchObject({
      ok: true,
      claims: { tenantId: 'acme', approvalId: approval.approvalId, nonce: 'email-nonce-1' },
    });
    const slackToken = new URL(sentBy('slack').link).searchParams.get('token')!;
    expect(verifyLinkToken(LINK_KEY, slackToken)).toMatchObject({ ok: true, claims: { nonce: 'nonce-1' } });
    expect(parseButtonValue(sentBy('slack').buttonValue)).toEqual({
      approvalId: approval.approvalId,
      token: slackToken,
    });
  });

  test('one channel failing does not keep the other from going out, and does not fail the task', async () => {
    // Prepare
    const approval = await pendingApproval();
    notifications.failing.add('email');

    // Act
    const result = await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    expect(result.sent).toEqual(['slack']);
    expect(logs.entries()).toContainEqual(
      expect.objectContaining({ message: 'approval request not sent', channel: 'email' }),
    );
  });

  test('an unreadable Slack webhook skips Slack, and the email still goes out', async () => {
    // Prepare
    const approval = await pendingApproval();
    secrets.values.set(webhookSecretNameOf(SETTINGS.secretPrefix, stack.stackId), 'not json');

    // Act
    const result = await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    expect(result.sent).toEqual(['email']);
    expect(logs.entries()).toContainEqual(
      expect.objectContaining({ message: 'approval request not sent', channel: 'slack' }),
    );
  });

  test('sends nothing for an approval no longer pending', async () => {
    // Prepare
    const approval = await pendingApproval();
    await approvals.settleApproval('acme', approval.approvalId, { status: 'SUPERSEDED' });

    // Act
    const result = await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    expect(result.sent).toEqual([]);
    expect(notifications.sent).toEqual([]);
  });

  test('each recipient gets an email of their own, with a link of their own, and what the policy needs', async () => {
    // Prepare
    const approval = await approvalOf(approvals, stack, {
      emailLinks: { 'nonce-a': 'alice@example.com', 'nonce-b': 'bob@example.com' },
      policy: { required: 2, approvers: ['alice@example.com', 'bob@example.com'], allowSelfApproval: false },
    });

    // Act
    await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    const emails = notifications.sent.filter((s) => s.channel === 'email');
    expect(emails.map((e) => e.to).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    for (const { to, message } of emails) {
      const check = verifyLinkToken(LINK_KEY, new URL(message.link).searchParams.get('token')!);
      expect(check.ok && approval.emailLinks![check.claims.nonce]).toBe(to);
      expect(message).toMatchObject({ recipient: to, policy: { required: 2 } });
    }
  });

  test('without Slack configured on the stack, only email goes out', async () => {
    // Prepare
    stack.notifications = { emails: ['ops@example.com'], slack: false };
    const approval = await pendingApproval();

    // Act
    const result = await sendApprovalRequest({ tenantId: 'acme', approvalId: approval.approvalId }, deps());

    // Assess
    expect(result.sent).toEqual(['email']);
  });
});

describe('waitForApproval', () => {
  test('parks the task token on a pending approval', async () => {
    // Prepare
    const approval = await pendingApproval();

    // Act
    await waitForApproval(
      { tenantId: 'acme', approvalId: approval.approvalId, taskToken: 'token-1' },
      deps(),
    );

    // Assess
    expect((await approvals.getApproval('acme', approval.approvalId))?.taskToken).toBe('token-1');
  });

  test.each([
    ['SUPERSEDED', 'ApprovalSuperseded'],
    ['REJECTED', 'ApprovalRejected'],
  ] as const)('an approval %s before the wait fails the task with %s', async (status, errorName) => {
    // Prepare
    const approval = await pendingApproval();
    await approvals.settleApproval('acme', approval.approvalId, { status });

    // Act
    const waiting = waitForApproval(
      { tenantId: 'acme', approvalId: approval.approvalId, taskToken: 'token-2' },
      deps(),
    );

    // Assess
    await expect(waiting).rejects.toMatchObject({ name: errorName });
    expect((await approvals.getApproval('acme', approval.approvalId))?.taskToken).toBeUndefined();
  });
});
