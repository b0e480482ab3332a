import type { PipelineSettings } from '../../src/cloud/settings';
import type {
  ApprovalMessage,
  NotificationPort,
  PlatformSecretsPort,
  SlackResponseMode,
} from '../../src/cloud/ports';
import { newId } from '../../src/domain/ids';
import { type LocalDynamo, startDynamo } from '../../src/local/dynamo';
import { ApprovalStore, type StoredApproval } from '../../src/store/approvals';
import { TABLE_NAME } from './fixtures';

/** Fakes and fixtures for the approval tasks and routes, over a real ApprovalStore on dynalite. */
export const LINK_KEY = 'link-key-for-tests';
export const SETTINGS: PipelineSettings = {
  publicApiUrl: 'https://api.example.com',
  secretPrefix: 'tinystacks/test',
  linkKeySecretName: 'tinystacks/test/approval-link-key',
  slackSecretName: 'tinystacks/test/slack',
  approvalTimeoutSeconds: 3600,
};

export class MemorySecrets implements PlatformSecretsPort {
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
export class RecordingNotifications implements NotificationPort {
  readonly sent: { channel: 'email' | 'slack'; to: string; message: ApprovalMessage }[] = [];
  readonly slackResponses: { responseUrl: string; text: string; mode: SlackResponseMode }[] = [];
  readonly slackRefreshes: { responseUrl: string; message: ApprovalMessage }[] = [];
  failing = new Set<'email' | 'slack'>();
  async email(to: string[], message: ApprovalMessage) {
    if (this.failing.has('email')) throw new Error('SES refused');
    this.sent.push({ channel: 'email', to: to.join(','), message });
  }
  async slack(webhookUrl: string, message: ApprovalMessage) {
    if (this.failing.has('slack')) throw new Error('Slack answered 500');
    this.sent.push({ channel: 'slack', to: webhookUrl, message });
  }
  async slackUpdate(responseUrl: string, text: string, mode: SlackResponseMode = 'replace') {
    this.slackResponses.push({ responseUrl, text, mode });
  }
  async slackRefresh(responseUrl: string, message: ApprovalMessage) {
    this.slackRefreshes.push({ responseUrl, message });
  }
}

/**
 * A PENDING approval of stage prod, as CreateApproval records it (no task token yet): by default
 * one approval by anyone, with ops@example.com's own link (nonce `email-nonce-1`) and the Slack
 * buttons' (nonce `nonce-1`); `fields` overrides (a policy, links, the author).
 */
export async function pendingApproval(
  approvals: ApprovalStore,
  stack: { tenantId: string; stackId: string; name: string },
  fields: Partial<StoredApproval> = {},
): Promise<StoredApproval> {
  const approval: StoredApproval = {
    tenantId: stack.tenantId,
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
    emailLinks: { 'email-nonce-1': 'ops@example.com' },
    policy: { required: 1, approvers: null, allowSelfApproval: true },
    author: { logins: ['octocat'], emails: ['octocat@example.com'] },
    ...fields,
  };
  await approvals.putApproval(approval);
  return approval;
}

/** The platform's secrets with the approval link key in them. */
export function secretsWithLinkKey(): MemorySecrets {
  const secrets = new MemorySecrets();
  secrets.values.set(SETTINGS.linkKeySecretName, LINK_KEY);
  return secrets;
}

/** A real ApprovalStore on dynalite for the calling test file: started before its tests, closed after. */
export function useApprovalStore(): () => ApprovalStore {
  let dynamo: LocalDynamo;
  let store: ApprovalStore;
  beforeAll(async () => {
    dynamo = await startDynamo(TABLE_NAME);
    store = new ApprovalStore(dynamo.documentClient, TABLE_NAME);
  });
  afterAll(async () => {
    await dynamo.close();
  });
  return () => store;
}
