import { SecretCache, type PipelineSettings } from '../../../src/app/pipelines';
import type { ApprovalMessage, NotificationPort, PlatformSecretsPort } from '../../../src/cloud/ports';
import { newId } from '../../../src/domain/ids';
import { verifyLinkToken } from '../../../src/domain/link-token';
import { webhookSecretNameOf } from '../../../src/domain/pipeline';
import { parseButtonValue } from '../../../src/domain/slack';
import type { Stack } from '../../../src/domain/stack';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { ApprovalStore, type StoredApproval } from '../../../src/store/approvals';
import type { Store } from '../../../src/store/store';
import { sendApprovalRequest, waitForApproval } from '../../../src/tasks/pipeline-steps';
import { TABLE_NAME } from '../../support/fixtures';
import { captureLogs } from '../../support/logs';

const LINK_KEY = 'link-key-for-tests';
const SETTINGS: PipelineSettings = {
  publicApiUrl: 'https://api.example.com',
  secretPrefix: 'tinystacks/test',
  linkKeySecretName: 'tinystacks/test/approval-link-key',
  slackSecretName: 'tinystacks/test/slack',
  approvalTimeoutSeconds: 3600,
};
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXX';

class MemorySecrets implements PlatformSecretsPort {
  readonly values = new Map<string, string>();
  async create(name: string, value: string) {
    this.values.set(name, value);
  }
  async get(name: string) {
    return this.values.get(name);
  }
  async delete(name: string) {
    this.values.delete(name);
  }
}

/** Records what would be sent; a channel can be made to fail. */
class RecordingNotifications implements NotificationPort {
  readonly sent: { channel: 'email' | 'slack'; to: string; message: ApprovalMessage }[] = [];
  failing = new Set<'email' | 'slack'>();
  async email(to: string[], message: ApprovalMessage) {
    if (this.failing.has('email')) throw new Error('SES refused');
    this.sent.push({ channel: 'email', to: to.join(','), message });
  }
  async slack(webhookUrl: string, message: ApprovalMessage) {
    if (this.failing.has('slack')) throw new Error('Slack answered 500');
    this.sent.push({ channel: 'slack', to: webhookUrl, message });
  }
  async slackUpdate() {
    throw new Error('not used by approval requests');
  }
}

let dynamo: LocalDynamo;
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

async function pendingApproval(): Promise<StoredApproval> {
  const approval: StoredApproval = {
    tenantId: 'acme',
    approvalId: newId('apr'),
    stackId: stack.stackId,
    stackName: stack.name,
    runId: newId('run'),
    stageName: 'prod',
    commit: { sha: 'a'.repeat(40), message: 'ship it' },
    requestedBy: 'octocat',
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    status: 'PENDING',
    linkNonce: 'nonce-1',
  };
  await approvals.putApproval(approval);
  return approval;
}

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  approvals = new ApprovalStore(dynamo.documentClient, TABLE_NAME);
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(() => {
  secrets = new MemorySecrets();
  secrets.values.set(SETTINGS.linkKeySecretName, LINK_KEY);
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
    const { message } = notifications.sent[0]!;
    const link = new URL(message.link);
    expect(link.origin + link.pathname).toBe(`${SETTINGS.publicApiUrl}/v1/approvals/${approval.approvalId}`);
    const check = verifyLinkToken(LINK_KEY, link.searchParams.get('token')!);
    expect(check).toMatchObject({
      ok: true,
      claims: { tenantId: 'acme', approvalId: approval.approvalId, nonce: 'nonce-1' },
    });
    expect(parseButtonValue(message.buttonValue)).toEqual({
      approvalId: approval.approvalId,
      token: link.searchParams.get('token'),
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
