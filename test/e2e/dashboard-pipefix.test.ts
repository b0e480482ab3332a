import { chromiumPath, launchBrowser, screenshots, type Page, type TestBrowser } from '../support/browser';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { eventually } from '../support/pipeline';

/**
 * The dashboard in real Chromium on `npm start`: a stack deleted from its page is followed live
 * (its operation, from the event stream) until it is gone; a run that reused its image says so.
 * Skipped, saying so, where no Chromium is installed (as test/e2e/dashboard.test.ts).
 */
const STEP_MS = 120_000;
const maybe = chromiumPath ? describe : describe.skip;

maybe('the dashboard: deleting a stack, a reused image', () => {
  let server: LocalServer;
  let browser: TestBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer('dashboard-pipefix', ['--stack-delay', '150', '--build-delay', '100']);
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

  const activeStack = async (name: string) => {
    const created = await server.api.post<{ stackId: string }>('/v1/stacks', {
      name,
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
    });
    await eventually(async () => {
      const stack = await server.api.get<{ pipeline: { status: string } }>(
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
      await page.goto(`${server.url}/stacks/${stackId}`);
      await page.getByRole('heading', { name: 'to-delete' }).waitFor();
      page.once('dialog', (dialog) => void dialog.accept());

      // Act
      await page.getByRole('button', { name: 'Delete stack' }).click();

      // Assess
      await page.getByRole('heading', { name: 'Deleting the stack' }).waitFor();
      await page.locator('.operation', { hasText: 'Delete stack' }).waitFor();
      await screenshots(page, 'stack-deleting');
      await page.getByRole('heading', { name: 'Your stacks' }).waitFor();
      expect(await page.locator('.stack-card', { hasText: 'to-delete' }).count()).toBe(0);
      expect((await server.api.get(`/v1/stacks/${stackId}`)).status).toBe(404);
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
        const run = await server.api.post<{ runId: string }>(`/v1/stacks/${stackId}/runs`, { commit: sha });
        await eventually(
          async () => {
            const body = (await server.api.get<{ status: string }>(`/v1/runs/${run.body.runId}`)).body;
            return body.status === 'SUCCEEDED' ? true : undefined;
          },
          `run ${i + 1}`,
        );
      }

      // Act
      await page.goto(`${server.url}/stacks/${stackId}/runs`);

      // Assess
      await page.locator('[data-build="REUSED"]').first().waitFor();
      expect(await page.locator('.run').count()).toBe(2);
      expect(await page.locator('[data-build="REUSED"]').count()).toBe(1);
    },
    STEP_MS,
  );
});
