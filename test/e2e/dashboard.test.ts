import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';

/**
 * The dashboard in real Chromium against `npm start` (a free port, a temp data folder): the issue's
 * walk by clicking only, axe-core on every page, screenshots of every page at 375 px and on a desktop
 * (test-artifacts/dashboard/). Skipped, saying so, where no Chromium is installed.
 */

describeInBrowser('the dashboard in Chromium on npm start', () => {
  const s = dashboardSession('dashboard', ['--stack-delay', '60', '--build-delay', '200']);
  let stackId = '';

  const badge = (scope: string, status: string) =>
    s.page.locator(`${scope} .badge[data-status="${status}"]`).first();
  const dialog = () => s.page.getByRole('dialog');

  test(
    'opens signed in, without a prompt, on Your stacks',
    async () => {
      // Act
      await s.page.goto(`${s.server.url}/`);

      // Assess
      await s.page.getByRole('heading', { name: 'Your stacks' }).waitFor();
      expect(await s.page.locator('.user').textContent()).toContain('local-user');
      await s.checkPage('stacks-empty');
    },
    STEP_MS,
  );

  test(
    'creates a stack and shows its webhook URL and secret once, with copy buttons',
    async () => {
      // Act: by keyboard first (Tab to the button, Enter opens the dialog, Escape closes it and focus returns)
      const opener = s.page.getByRole('button', { name: 'Create your first stack' });
      for (let i = 0; i < 20 && !(await opener.evaluate((el) => el === el.ownerDocument.activeElement)); i++)
        await s.page.keyboard.press('Tab');
      await s.page.keyboard.press('Enter');
      await dialog().waitFor();
      await s.page.keyboard.press('Escape');
      await dialog().waitFor({ state: 'detached' });
      expect(await opener.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await s.page.keyboard.press('Enter');
      await dialog().getByLabel('Name', { exact: true }).fill('shop');
      await dialog().getByLabel('GitHub repository').fill('acme/shop');
      await dialog().getByLabel('Email addresses').fill('lead@example.com');
      await s.checkPage('create-stack-dialog');
      await dialog().getByRole('button', { name: 'Create stack' }).click();

      // Assess
      await dialog().getByText('Webhook secret', { exact: true }).waitFor();
      const secret = await dialog().locator('.secret-value').textContent();
      expect(secret).toMatch(/\S{20,}/);
      await expect(dialog().getByRole('button', { name: 'Copy webhook url' }).isVisible()).resolves.toBe(
        true,
      );
      await s.checkPage('stack-created');
      await dialog().getByRole('link', { name: 'Open the stack' }).click();
      await s.page.getByRole('heading', { name: 'shop' }).waitFor();
      stackId = /\/stacks\/(stk_\w+)/.exec(s.page.url())![1]!;
      await badge('.page', 'ACTIVE').waitFor(); // the build pipeline
    },
    STEP_MS,
  );

  test(
    'adds a stage with a Postgres database and watches it become ACTIVE, then sees the PG_* names',
    async () => {
      // Act
      await s.page.getByRole('button', { name: 'Add Stage' }).first().click();
      await dialog().getByLabel('Stage name').fill('dev');
      await dialog().getByLabel('Create Postgres database for stage').check();
      await s.checkPage('add-stage-dialog');
      await dialog().getByRole('button', { name: 'Add Stage' }).click();

      // Assess: live, without reloading the page
      await s.page.locator('.operation', { hasText: 'Create stage dev' }).first().waitFor();
      await badge('li[data-stage="dev"] header', 'ACTIVE').waitFor();
      await s.page.locator('li[data-stage="dev"]').getByRole('link', { name: 'Databases' }).click();
      await badge('li[data-engine="postgres"]', 'AVAILABLE').waitFor();
      await s.page.getByTestId('postgres-names').getByText('PG_HOST').waitFor();
      const names = await s.page.getByTestId('postgres-names').locator('code').allTextContents();
      expect(names).toEqual(
        expect.arrayContaining(['PG_HOST', 'PG_PORT', 'PG_DATABASE', 'PG_CREDENTIALS_SECRET']),
      );
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await badge('li[data-stage="dev"] header', 'ACTIVE').waitFor();
      await s.checkPage('stack');
    },
    STEP_MS,
  );

  test(
    'View Secret reveals the password on demand and forgets it when closed',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/dev/databases`);
      await badge('li[data-engine="postgres"]', 'AVAILABLE').waitFor();

      // Act
      await s.page.getByRole('button', { name: 'View Secret' }).click();
      const password = await dialog().locator('.secret-value').textContent();

      // Assess
      const actual = await s.server.api.get(`/v1/stacks/${stackId}/stages/dev/databases/postgres/secret`);
      expect(password).toBe(actual.body.password);
      await s.checkPage('view-secret');
      await dialog().getByRole('button', { name: 'Close and forget it' }).click();
      await expect(s.page.getByTestId('secret').count()).resolves.toBe(0);
      const stored = await s.page.evaluate(
        'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
      );
      expect(stored).not.toContain(password!);
      await s.checkPage('databases');
    },
    STEP_MS,
  );

  test(
    'refuses a reserved variable name as the API does, shows the API’s error next to its field, and watches a rebuild',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/dev`);
      await s.page.getByRole('heading', { name: 'Environment Variables' }).waitFor();
      const env = s.page.locator('section', {
        has: s.page.getByRole('heading', { name: 'Environment Variables' }),
      });

      // Act: a name the platform injects
      await env.getByRole('button', { name: '+ Add variable' }).click();
      await env.getByLabel('Name of variable 1').fill('PG_HOST');

      // Assess: refused before anything is sent
      await env.getByText('PG_HOST is reserved').first().waitFor();

      // Act: an origin the API refuses (the page does not check it: the API's 400 names `origins.1`)
      const origins = s.page.locator('section', { has: s.page.getByRole('heading', { name: 'Origins' }) });
      await origins.getByLabel('Origin to allow').fill('ftp://files.example.com');
      await origins.getByRole('button', { name: 'Add origin' }).click();
      await origins.getByRole('button', { name: 'Save origins' }).click();
      const originError = origins
        .locator('.chips li', { hasText: 'ftp://files.example.com' })
        .locator('.field-error');
      await originError.waitFor();
      expect(await originError.textContent()).toContain('origins.1 must be an origin');
      await s.checkPage('stage-settings-errors');

      // Act: a good variable
      await env.getByLabel('Name of variable 1').fill('CUSTOM_ENV');
      await env.getByLabel('Value of CUSTOM_ENV').fill('x');
      await env.getByRole('button', { name: 'Save variables' }).click();

      // Assess: the rebuild, live until it ends
      const operation = s.page.locator('.operation', { hasText: 'Update stage dev' }).first();
      await operation.waitFor();
      await operation.locator('.badge[data-status="SUCCEEDED"]').waitFor();
      const stage = await s.server.api.get<{ settings: { environment: Record<string, string> } }>(
        `/v1/stacks/${stackId}/stages/dev`,
      );
      expect(stage.body.settings.environment).toEqual({ CUSTOM_ENV: 'x' });
      await s.page.getByTestId('platform-names').getByText('PG_HOST').waitFor();
      await s.checkPage('stage-settings');
    },
    STEP_MS,
  );

  test(
    'says which operation runs when the stage is busy (409)',
    async () => {
      // Prepare: someone else changes the stage just before the page's request arrives
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/dev`);
      await s.page.getByRole('heading', { name: 'Ports and options' }).waitFor();
      let busy: { operation: { operationId: string } } | undefined;
      await s.page.route('**/v1/stacks/*/stages/dev', async (route) => {
        if (route.request().method() === 'PATCH' && !busy)
          busy = (
            await s.server.api.patch<{ operation: { operationId: string } }>(
              `/v1/stacks/${stackId}/stages/dev`,
              {
                port: 8080,
              },
            )
          ).body;
        await route.continue();
      });

      // Act
      const ports = s.page.locator('section', {
        has: s.page.getByRole('heading', { name: 'Ports and options' }),
      });
      await ports.getByRole('button', { name: 'Save' }).click();

      // Assess
      const notice = s.page.locator('.notice-busy');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(busy!.operation.operationId);
      await s.page.unrouteAll();
      await s.checkPage('stage-busy');
      await notice.locator('.badge[data-status="SUCCEEDED"]').waitFor();
    },
    STEP_MS,
  );

  test(
    'deploys by hand, waits for approval at a stage that requires it, and approves from the dashboard',
    async () => {
      // Prepare: a prod stage behind a manual approval
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await s.page.getByRole('button', { name: 'Add Stage' }).first().click();
      await dialog().getByLabel('Stage name').fill('prod');
      await dialog().getByLabel('Require manual approval').check();
      await dialog().getByRole('button', { name: 'Add Stage' }).click();
      await badge('li[data-stage="prod"] header', 'ACTIVE').waitFor();
      await s.page.locator('li[data-stage="prod"] .approval-marker').waitFor();

      // Act: Deploy
      await s.page.getByRole('button', { name: 'Deploy' }).click();
      await dialog().getByRole('button', { name: 'Deploy' }).click();
      await dialog().getByRole('link', { name: 'Follow it on Runs' }).click();

      // Assess: the run stops at prod; its email link opens a page with the dashboard's look
      const approval = s.page.locator('[data-approval]').first();
      await approval.waitFor();
      const approvalId = (await approval.getAttribute('data-approval'))!;
      await s.checkPage('runs-waiting');
      const outbox = join(s.server.dataDir, 'outbox');
      let email: string | undefined;
      while (!email) {
        email = readdirSync(outbox).find((f) => f.includes(approvalId) && f.endsWith('-email.txt'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const link = /(http:\/\/\S+\/v1\/approvals\/\S+)/.exec(readFileSync(join(outbox, email), 'utf8'))![1]!;
      const linkPage = await s.browser.context.newPage();
      await linkPage.goto(link);
      await linkPage.getByRole('heading', { name: 'Deploy to prod?' }).waitFor();
      await s.checkPage('approval-link', linkPage);
      await linkPage.close();
      await s.page.goto(`${s.server.url}/approvals/${approvalId}`);
      await s.page.getByRole('heading', { name: 'Deploy shop to prod?' }).waitFor();
      await s.checkPage('approval');

      // Act: approve with a comment
      await s.page.getByLabel('Comment (optional)').fill('looks good');
      await s.page.getByRole('button', { name: 'Approve' }).click();

      // Assess
      await badge('.page', 'APPROVED').waitFor();
      await s.page.goto(`${s.server.url}/stacks/${stackId}/runs`);
      await s.page.locator('li.run').first().locator('header .badge[data-status="SUCCEEDED"]').waitFor();
      await s.checkPage('runs');
    },
    STEP_MS,
  );

  test(
    'creates a bastion and downloads its private key; the tunnel command has a copy button',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/dev/databases`);
      const section = s.page.locator('section', {
        has: s.page.getByRole('heading', { name: 'Bastion connection information' }),
      });
      await section.getByLabel('SSH allowed from').waitFor();
      expect(await section.getByLabel('SSH allowed from').inputValue()).toBe('127.0.0.1/32');

      // Act
      await section.getByRole('button', { name: 'Create bastion' }).click();
      await section.locator('.badge[data-status="AVAILABLE"]').waitFor();
      const [download] = await Promise.all([
        s.page.waitForEvent('download'),
        section.getByRole('button', { name: 'Download private key' }).click(),
      ]);

      // Assess
      const key = readFileSync((await download.path())!, 'utf8');
      expect(key).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
      expect(download.suggestedFilename()).toBe('dev-bastion.pem');
      await section
        .getByText(/ssh -i .* -L /)
        .first()
        .waitFor();
      await section.getByRole('button', { name: 'Copy the postgres command' }).waitFor();
      await s.checkPage('bastion');
    },
    STEP_MS,
  );

  test(
    'every other page: logs, stack events, approvals, subscriptions, an operation, a page that does not exist',
    async () => {
      for (const [name, path, heading] of [
        ['logs', `/stacks/${stackId}/stages/dev/logs`, 'dev: Logs'],
        ['stack-events', `/stacks/${stackId}/stages/dev/events`, 'dev: Stack events'],
        ['approvals', '/approvals', 'Approvals'],
        ['subscriptions', '/subscriptions', 'Subscriptions'],
        ['not-found', '/nowhere', 'Not found'],
      ] as const) {
        await s.page.goto(`${s.server.url}${path}`);
        await s.page.getByRole('heading', { name: heading, exact: true }).waitFor();
        if (name === 'logs') await s.page.locator('.log-line').first().waitFor();
        if (name === 'stack-events') await s.page.locator('tbody tr').first().waitFor();
        await s.checkPage(name);
      }
      const operations = await s.server.api.get<{ items: { operationId: string }[] }>(
        `/v1/stacks/${stackId}/operations`,
      );
      await s.page.goto(`${s.server.url}/operations/${operations.body.items[0]!.operationId}`);
      await s.page.locator('.operation .badge[data-status="SUCCEEDED"]').waitFor();
      await s.checkPage('operation');
    },
    STEP_MS,
  );
});
