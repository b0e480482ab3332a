import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';
import { eventually } from '../support/pipeline';

/**
 * The dashboard in real Chromium on `npm start`: a stack deleted from its page is followed live
 * (its operation, from the event stream) until it is gone; a run that reused its image says so.
 * Skipped, saying so, where no Chromium is installed (as test/e2e/dashboard.test.ts).
 */

describeInBrowser('the dashboard: deleting a stack, a reused image', () => {
  const s = dashboardSession('dashboard-pipefix', ['--stack-delay', '150', '--build-delay', '100']);

  const activeStack = async (name: string) => {
    const created = await s.server.api.post<{ stackId: string }>('/v1/stacks', {
      name,
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
    });
    await eventually(async () => {
      const stack = await s.server.api.get<{ pipeline: { status: string } }>(
        `/v1/stacks/${created.body.stackId}`,
      );
      return stack.body.pipeline.status === 'ACTIVE' ? true : undefined;
    }, 'the pipeline');
    return created.body.stackId;
  };

  test(
    'Delete stack follows the operation live, then lands on Your stacks without it',
    async () => {
      // Prepare
      const stackId = await activeStack('to-delete');
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await s.page.getByRole('heading', { name: 'to-delete' }).waitFor();
      s.page.once('dialog', (dialog) => void dialog.accept());

      // Act
      await s.page.getByRole('button', { name: 'Delete stack' }).click();

      // Assess
      await s.page.getByRole('heading', { name: 'Deleting the stack' }).waitFor();
      await s.page.locator('.operation', { hasText: 'Delete stack' }).waitFor();
      await s.screenshots('stack-deleting');
      await s.page.getByRole('heading', { name: 'Your stacks' }).waitFor();
      expect(await s.page.locator('.stack-card', { hasText: 'to-delete' }).count()).toBe(0);
      expect((await s.server.api.get(`/v1/stacks/${stackId}`)).status).toBe(404);
    },
    STEP_MS,
  );

  test(
    'a run of a commit built before shows its image as reused',
    async () => {
      // Prepare
      const stackId = await activeStack('reuse');
      const sha = 'f'.repeat(40);
      for (let i = 0; i < 2; i++) {
        const run = await s.server.api.post<{ runId: string }>(`/v1/stacks/${stackId}/runs`, { commit: sha });
        await eventually(
          async () => {
            const body = (await s.server.api.get<{ status: string }>(`/v1/runs/${run.body.runId}`)).body;
            return body.status === 'SUCCEEDED' ? true : undefined;
          },
          `run ${i + 1}`,
        );
      }

      // Act
      await s.page.goto(`${s.server.url}/stacks/${stackId}/runs`);

      // Assess
      await s.page.locator('[data-build="REUSED"]').first().waitFor();
      expect(await s.page.locator('.run').count()).toBe(2);
      expect(await s.page.locator('[data-build="REUSED"]').count()).toBe(1);
    },
    STEP_MS,
  );
});
