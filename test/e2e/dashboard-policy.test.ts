import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';
import { deliver, eventually, pushPayload } from '../support/pipeline';

/**
 * Approval policies in the dashboard, in real Chromium against `npm start`: Add Stage and Stage
 * settings set the policy; the approval view shows who approved so far and how many are needed, and
 * its Approve button says why the signed-in user (local-user) may not approve: they approved
 * already, they are the change's author, or they are not a listed approver.
 */
interface ApprovalBody {
  status: string;
  approvals: { by: string }[];
}

describeInBrowser('approval policies in the dashboard', () => {
  const s = dashboardSession('dashboard-policy', ['--stack-delay', '60', '--build-delay', '200']);
  let stack: { stackId: string; webhookSecret: string };
  const dialog = () => s.page.getByRole('dialog');

  /** A push by `login`, and the approval its run waits for at prod. */
  async function pushBy(login: string) {
    const pushed = await deliver(
      s.server.url,
      stack.stackId,
      stack.webhookSecret,
      pushPayload({ author: { login, email: `${login}@example.com` } }),
    );
    const runId = pushed.body.runId as string;
    return eventually(
      async () => {
        const run = await s.server.api.get<{ status: string; stages: { approvalId: string | null }[] }>(
          `/v1/runs/${runId}`,
        );
        return run.body.status === 'WAITING_FOR_APPROVAL' ? run.body.stages.at(-1)!.approvalId! : undefined;
      },
      `run ${runId} to wait for approval`,
      60_000,
    );
  }

  /** Approves as the holder of the link emailed to `to` (the link's own JSON way: the token in the body). */
  async function approveByLink(approvalId: string, to: string) {
    const dir = join(s.server.dataDir, 'outbox');
    const file = await eventually(
      async () => readdirSync(dir).find((f) => f.includes(approvalId) && f.includes(to)),
      `the email of ${approvalId} to ${to}`,
    );
    const link = /(http:\/\/\S+\/v1\/approvals\/\S+)/.exec(readFileSync(join(dir, file), 'utf8'))![1]!;
    const res = await fetch(link.split('?')[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', token: new URL(link).searchParams.get('token') }),
    });
    return (await res.json()) as ApprovalBody;
  }

  beforeAll(async () => {
    const created = await s.server.api.post<{ stackId: string; webhookSecret: string }>('/v1/stacks', {
      name: 'policies',
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
      notifications: { emails: ['lead@example.com', 'ops@example.com'] },
    });
    stack = created.body;
    await eventually(
      async () => {
        const got = await s.server.api.get<{ pipeline: { status: string } }>(`/v1/stacks/${stack.stackId}`);
        return got.body.pipeline.status === 'ACTIVE' ? true : undefined;
      },
      'the pipeline',
      60_000,
    );
  }, STEP_MS);

  test(
    'Add Stage sets a policy of two approvals, not by the author; the stage column says so',
    async () => {
      // Act
      await s.page.goto(`${s.server.url}/stacks/${stack.stackId}`);
      await s.page.getByRole('button', { name: 'Add Stage' }).first().click();
      await dialog().getByLabel('Stage name').fill('prod');
      await dialog().getByLabel('Require manual approval').check();
      await dialog().getByLabel('Approvals required').fill('2');
      await dialog().getByLabel('The change’s author may approve it').uncheck();
      await s.checkPage('add-stage-approval-policy');
      await dialog().getByRole('button', { name: 'Add Stage' }).click();

      // Assess
      const marker = s.page.locator('li[data-stage="prod"] .approval-marker');
      await marker.waitFor();
      expect(await marker.textContent()).toBe('Requires 2 approvals, not by the author');
      const stage = await s.server.api.get<{ settings: { approval: unknown } }>(
        `/v1/stacks/${stack.stackId}/stages/prod`,
      );
      expect(stage.body.settings.approval).toEqual({
        required: 2,
        approvers: null,
        allowSelfApproval: false,
      });
    },
    STEP_MS,
  );

  test(
    'the approval view: after the user approves, 1 of 2 with their name, and Approve says they already did',
    async () => {
      // Prepare
      await s.page
        .locator('li[data-stage="prod"] header .badge[data-status="ACTIVE"]')
        .waitFor({ timeout: 60_000 });
      const approvalId = await pushBy('mona');
      await s.page.goto(`${s.server.url}/approvals/${approvalId}`);
      await s.page.locator('[data-approval-progress]').getByText('0 of 2').waitFor();

      // Act
      await s.page.getByLabel('Comment (optional)').fill('first look');
      await s.page.getByRole('button', { name: 'Approve' }).click();

      // Assess
      const progress = s.page.locator('[data-approval-progress]');
      await progress.getByText('1 of 2').waitFor();
      expect(await progress.textContent()).toContain('local-user');
      expect(await s.page.locator('[data-approve-refused]').textContent()).toMatch(/already approved/);
      expect(await s.page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      expect(await s.page.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(false);
      await s.checkPage('approval-one-of-two');

      // Act: the second approver, by their own email link
      const decided = await approveByLink(approvalId, 'ops@example.com');

      // Assess
      expect(decided.status).toBe('APPROVED');
      await s.page.reload();
      await s.page.locator('[data-approval-progress]').getByText('2 of 2').waitFor();
    },
    STEP_MS,
  );

  test(
    'the author’s own change: Approve is disabled and says why; Reject still works',
    async () => {
      // Prepare: local-user pushed this one
      const approvalId = await pushBy('local-user');

      // Act
      await s.page.goto(`${s.server.url}/approvals/${approvalId}`);
      const note = s.page.locator('[data-approve-refused]');
      await note.waitFor();

      // Assess
      expect(await note.textContent()).toMatch(/local-user is the author of this change/);
      expect(await s.page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      await s.checkPage('approval-author');

      // Act
      await s.page.getByRole('button', { name: 'Reject' }).click();

      // Assess
      await s.page.locator('.page .badge[data-status="REJECTED"]').waitFor();
    },
    STEP_MS,
  );

  test(
    'Stage settings: a bad policy’s error lands on its field; listed approvers leave others unable to decide',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stack.stackId}/stages/prod`);
      const section = s.page.locator('section', {
        has: s.page.getByRole('heading', { name: 'Approval policy' }),
      });
      await section.getByLabel('Approvals required').waitFor();
      expect(await section.getByLabel('Approvals required').inputValue()).toBe('2');

      // Act: two required, one listed
      await section.getByLabel('Approvers (optional)').fill('lead@example.com');
      await section.getByRole('button', { name: 'Save approval policy' }).click();

      // Assess
      await section.getByText(/only 1 approver is listed/).waitFor();
      expect(await section.getByLabel('Approvals required').getAttribute('aria-invalid')).toBe('true');
      await s.checkPage('stage-settings-approval-error');

      // Act: two listed, and a push
      await section.getByLabel('Approvers (optional)').fill('lead@example.com\nops@example.com');
      await section.getByRole('button', { name: 'Save approval policy' }).click();
      await eventually(
        async () => {
          const stage = await s.server.api.get<{ settings: { approval: { approvers: string[] | null } } }>(
            `/v1/stacks/${stack.stackId}/stages/prod`,
          );
          return stage.body.settings.approval.approvers?.length === 2 ? true : undefined;
        },
        'the new policy to be deployed',
        60_000,
      );
      const approvalId = await pushBy('mona');
      await s.page.goto(`${s.server.url}/approvals/${approvalId}`);

      // Assess
      const note = s.page.locator('[data-approve-refused]');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/local-user is not one of them/);
      expect(await s.page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      expect(await s.page.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
      expect(await s.page.locator('[data-approval-progress]').textContent()).toContain(
        'from lead@example.com, ops@example.com',
      );
    },
    STEP_MS,
  );
});
