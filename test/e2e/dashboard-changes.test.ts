import {
  chromiumPath,
  launchBrowser,
  screenshots,
  seriousViolations,
  type Page,
  type TestBrowser,
} from '../support/browser';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { deliver, eventually, pushPayload, runStatus, stackWithStages } from '../support/pipeline';

/**
 * The dashboard in real Chromium on `npm start` (issue 13 §3): an approval shows what approving
 * deploys; one planned again points to its successor, which shows the changed variables.
 * Skipped, saying so, where no Chromium is installed (as test/e2e/dashboard.test.ts).
 */
const STEP_MS = 120_000;
const maybe = chromiumPath ? describe : describe.skip;

maybe('the dashboard: the change shown at the approval', () => {
  let server: LocalServer;
  let browser: TestBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer('dashboard-changes', ['--stack-delay', '50', '--build-delay', '100']);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => errors.push(error.message));
  }, STEP_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });
  afterEach(() => expect(errors).toEqual([]));

  test(
    'a replanned approval links to its successor, which shows the changed variables and is approved',
    async () => {
      // Prepare: a run waits at prod; the stage's variables change meanwhile (the deploy is planned again)
      const stack = await stackWithStages(server.api, [{ name: 'prod', requireApproval: true }], {});
      const pushed = await deliver(server.url, stack.stackId, stack.webhookSecret, pushPayload());
      const runId = String(pushed.body.runId);
      const waiting = await runStatus(server.api, runId, ['WAITING_FOR_APPROVAL']);
      const first = waiting.stages[0]!.approvalId!;
      await server.api.patch(`/v1/stacks/${stack.stackId}/stages/prod`, {
        environment: { FEATURE_FLAGS: 'on' },
      });
      const second = await eventually(async () => {
        const approval = await server.api.get<{ replacedBy: string | null }>(`/v1/approvals/${first}`);
        return approval.body.replacedBy ?? undefined;
      }, 'the new approval');

      // Act
      await page.goto(`${server.url}/approvals/${first}`);
      await page.getByTestId('approval-replanned').waitFor();
      await page.getByRole('link', { name: 'Decide the new approval' }).click();
      const changes = page.getByTestId('approval-changes');
      await changes.waitFor();

      // Assess
      expect(page.url()).toBe(`${server.url}/approvals/${second}`);
      expect(await changes.innerText()).toMatch(/Image: .*→/);
      expect(await changes.innerText()).toMatch(/added\s+FEATURE_FLAGS/);
      expect(await changes.innerText()).toMatch(/Replace TaskDefinition/);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshots(page, 'approval-changes');

      // Act: approve it
      await page.getByRole('button', { name: 'Approve' }).click();

      // Assess
      const done = await runStatus(server.api, runId, ['SUCCEEDED', 'FAILED', 'STOPPED'], 60_000);
      expect(done.status).toBe('SUCCEEDED');
    },
    STEP_MS,
  );
});
