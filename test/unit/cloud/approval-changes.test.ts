import { approvalPage } from '../../../src/api/approval-pages';
import { approvalEmail, approvalSlackMessage } from '../../../src/cloud/approval-messages';
import type { ApprovalMessage } from '../../../src/cloud/ports';
import type { DeployChanges } from '../../../src/domain/changes';
import type { Approval } from '../../../src/domain/pipeline';

const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/tinystacks/stk_1';
const FROM = 'a'.repeat(40);
const TO = 'b'.repeat(40);
const COMPARE = `https://github.com/acme/shop/compare/${FROM}...${TO}`;

const changes: DeployChanges = {
  image: { from: `${REPO}:${FROM}`, to: `${REPO}:${TO}` },
  commits: { compareUrl: COMPARE, count: 2 },
  environment: { added: ['<script>'], removed: [], changed: ['LOG_LEVEL'] },
  resources: [
    { logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', action: 'Modify', replacement: 'True' },
  ],
};

const message: ApprovalMessage = {
  approvalId: 'apr_1',
  stackName: 'shop',
  stageName: 'prod',
  commit: { sha: TO, message: 'ship it' },
  requestedBy: 'octocat',
  expiresAt: '2026-12-13T00:00:00.000Z',
  link: 'https://api.example.com/v1/approvals/apr_1?token=t',
  buttonValue: 'apr_1.t',
  changes,
};

describe('the change in the approval request', () => {
  test('the email lists the image, the commits with the compare link, the variables and the resources', () => {
    // Prepare
    // Act
    const { text } = approvalEmail(message);

    // Assess
    expect(text).toContain('What approving deploys to prod:');
    expect(text).toContain(`  Image: stk_1:${FROM} → stk_1:${TO}`);
    expect(text).toContain(`  2 commits: ${COMPARE}`);
    expect(text).toContain('  Variables: added <script>; changed LOG_LEVEL');
    expect(text).toContain('  Resources: Replace TaskDefinition (AWS::ECS::TaskDefinition)');
  });

  test('Slack gets a section of its own, its link in mrkdwn and its special characters escaped, before the buttons', () => {
    // Prepare
    // Act
    const { blocks } = approvalSlackMessage(message) as {
      blocks: { type: string; text?: { text: string } }[];
    };

    // Assess
    const types = blocks.map((b) => b.type);
    const section = blocks[types.indexOf('actions') - 1]!.text!.text;
    expect(section).toContain(`• 2 commits: <${COMPARE}|compare>`);
    expect(section).toContain('added &lt;script&gt;');
    expect(section).not.toContain('<script>');
  });

  test('without a plan (an approval from before plans), the messages are as they were', () => {
    // Prepare
    const { changes: _, ...plain } = message;

    // Act
    const { text } = approvalEmail(plain);
    const { blocks } = approvalSlackMessage(plain) as { blocks: unknown[] };

    // Assess
    expect(text).not.toContain('What approving deploys');
    expect(blocks).toHaveLength(approvalSlackMessage(message).blocks.length - 1);
  });

  test('the link page shows the change, escaped, and a REPLANNED approval names its successor', () => {
    // Prepare
    const approval: Approval = {
      tenantId: 'acme',
      approvalId: 'apr_1',
      stackId: 'stk_1',
      stackName: 'shop',
      runId: 'run_1',
      stageName: 'prod',
      commit: { sha: TO },
      requestedBy: 'octocat',
      requestedAt: '2026-12-06T00:00:00.000Z',
      expiresAt: '2026-12-13T00:00:00.000Z',
      status: 'REPLANNED',
      closedReason: 'the settings of prod changed',
      replacedBy: 'apr_2',
      changes,
    };

    // Act
    const html = approvalPage(approval, undefined);

    // Assess
    expect(html).toContain('<h2>What approving deploys</h2>');
    expect(html).toContain(`<a href="${COMPARE}" rel="noreferrer">compare on GitHub</a>`);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<strong>replaced</strong>');
    expect(html).toContain('Decide approval <code>apr_2</code> instead.');
  });
});
