import { slackInteractionsRoute } from '../../../src/api/webhooks';
import { approvalLink } from '../../../src/app/approval-links';
import { SecretCache } from '../../../src/cloud/secret-cache';
import type { TaskDelivery } from '../../../src/cloud/errors';
import type { WorkflowPort } from '../../../src/cloud/ports';
import { buttonValue, signSlackRequest } from '../../../src/domain/slack';
import type { ApprovalStore, StoredApproval } from '../../../src/store/approvals';
import {
  pendingApproval,
  RecordingNotifications,
  secretsWithLinkKey,
  SETTINGS,
  useApprovalStore,
} from '../../support/approvals';

const SIGNING_SECRET = 'slack-signing-secret';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T000/1234/abcdefgh';
const STACK = { tenantId: 'acme', stackId: 'stk_01', name: 'shop' };

/** Tells the waiting workflow; records the decisions sent. */
class FakeWorkflows implements WorkflowPort {
  readonly sent: { taskToken: string; decision: string }[] = [];
  async start(): Promise<never> {
    throw new Error('not used by approvals');
  }
  async sendTaskSuccess(taskToken: string): Promise<TaskDelivery> {
    this.sent.push({ taskToken, decision: 'approve' });
    return 'delivered';
  }
  async sendTaskFailure(taskToken: string): Promise<TaskDelivery> {
    this.sent.push({ taskToken, decision: 'reject' });
    return 'delivered';
  }
}

const store = useApprovalStore();
let approvals: ApprovalStore;
let notifications: RecordingNotifications;
let workflows: FakeWorkflows;
let platformSecrets: SecretCache;

beforeEach(() => {
  approvals = store();
  const secrets = secretsWithLinkKey();
  secrets.values.set(SETTINGS.slackSecretName, JSON.stringify({ signingSecret: SIGNING_SECRET }));
  platformSecrets = new SecretCache(secrets);
  notifications = new RecordingNotifications();
  workflows = new FakeWorkflows();
});

/** A signed click on the approval's Slack button, as Slack posts it. */
async function click(approval: StoredApproval, action: 'approve' | 'reject') {
  const { token } = await approvalLink({ platformSecrets, pipelineSettings: SETTINGS }, approval);
  const rawBody = new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0123ABCD', username: 'jdoe' },
      actions: [{ action_id: action, value: buttonValue(approval.approvalId, token) }],
      response_url: RESPONSE_URL,
    }),
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, rawBody),
  };
  const deps = {
    approvals,
    workflows,
    platformSecrets,
    notifications,
    bus: { publish: async () => {} },
    pipelineSettings: SETTINGS,
    jwtVerifier: { verify: async () => undefined },
  };
  return slackInteractionsRoute.handle(
    {
      caller: { tenantId: '', userId: '' },
      params: undefined,
      query: undefined,
      body: undefined,
      headers,
      rawBody,
    },
    deps,
  );
}

test('a click before the workflow waits keeps the message and its buttons, and decides nothing', async () => {
  // Prepare: recorded and sent, its task token not parked yet
  const approval = await pendingApproval(approvals, STACK);

  // Act
  const answer = await click(approval, 'approve');

  // Assess
  expect(answer.statusCode).toBe(200);
  expect(notifications.slackResponses).toEqual([
    { responseUrl: RESPONSE_URL, text: expect.stringContaining('not waiting yet'), mode: 'ephemeral' },
  ]);
  expect(workflows.sent).toEqual([]);
  expect((await approvals.getApproval('acme', approval.approvalId))?.status).toBe('PENDING');
});

test('a click once the workflow waits decides, and the message is replaced by the decision', async () => {
  // Prepare
  const approval = await pendingApproval(approvals, STACK);
  await approvals.parkApprovalToken('acme', approval.approvalId, 'token-1');

  // Act
  await click(approval, 'reject');

  // Assess
  expect(workflows.sent).toEqual([{ taskToken: 'token-1', decision: 'reject' }]);
  expect(notifications.slackResponses).toEqual([
    { responseUrl: RESPONSE_URL, text: expect.stringContaining('Rejected by <@U0123ABCD>'), mode: 'replace' },
  ]);
  expect((await approvals.getApproval('acme', approval.approvalId))?.status).toBe('REJECTED');
});
