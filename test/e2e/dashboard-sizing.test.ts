import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';

/**
 * Size & scaling in the dashboard, in real Chromium against `npm start`: Add Stage at 1 vCPU / 2 GB
 * with 2–6 tasks, seen applied on the stage's column and its settings; a change the API refuses
 * shown on its field; a rescale from the Stage settings page; rollback alarms offered only with a
 * load balancer. Skipped, saying so, where no Chromium is installed.
 */
describeInBrowser('Size & scaling in the dashboard', () => {
  const s = dashboardSession('dashboard-sizing', ['--stack-delay', '60']);
  let stackId = '';

  const dialog = () => s.page.getByRole('dialog');
  const column = (stage: string) => s.page.locator(`li[data-stage="${stage}"]`);
  const sizing = () =>
    s.page.locator('section', { has: s.page.getByRole('heading', { name: 'Size & scaling' }) });

  beforeAll(async () => {
    const stack = await s.server.api.post<{ stackId: string }>('/v1/stacks', {
      name: 'shop',
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
    });
    stackId = stack.body.stackId;
  }, STEP_MS);

  test(
    'adds a stage of 1 vCPU and 2 GB with 2–6 tasks, and sees it applied',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await s.page.getByRole('button', { name: 'Add Stage' }).first().click();
      await dialog().getByLabel('Stage name').fill('prod');

      // Act: only Fargate's pairs can be chosen; the memory list follows the CPU
      await dialog().getByLabel('CPU', { exact: true }).selectOption('1024');
      const memoryOptions = await dialog().getByLabel('Memory').locator('option').allTextContents();
      await dialog().getByLabel('Memory').selectOption('2048');
      await dialog().getByLabel('Tasks', { exact: true }).fill('2');
      await dialog().getByLabel('Autoscaling on CPU between a minimum and a maximum').check();
      await dialog().getByLabel('Minimum tasks').fill('2');
      await dialog().getByLabel('Maximum tasks').fill('6');
      const alarmsWithoutLoadBalancer = await dialog().getByLabel('Unhealthy tasks reaching').count();
      await dialog().getByLabel('Create load balancer').check();
      await dialog().getByLabel('Unhealthy tasks reaching').fill('1');
      await s.checkPage('sizing-add-stage');
      await dialog().getByRole('button', { name: 'Add Stage' }).click();

      // Assess
      await column('prod').locator('header .badge[data-status="ACTIVE"]').waitFor();
      expect(memoryOptions).toEqual(['2 GB', '3 GB', '4 GB', '5 GB', '6 GB', '7 GB', '8 GB']);
      expect(alarmsWithoutLoadBalancer).toBe(0);
      expect(await column('prod').getByTestId('stage-size').textContent()).toBe('1 vCPU · 2 GB');
      expect(await column('prod').getByTestId('stage-tasks').textContent()).toBe(
        '2–6 tasks (autoscaling at 60 % CPU)',
      );
      const stage = await s.server.api.get<{ settings: Record<string, unknown> }>(
        `/v1/stacks/${stackId}/stages/prod`,
      );
      expect(stage.body.settings).toMatchObject({
        scaling: { cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6, targetCpuPercent: 60 },
        rollbackAlarms: { unhealthyHosts: 1 },
      });
      await s.checkPage('sizing-stack');
    },
    STEP_MS,
  );

  test(
    "shows the API's refusal on its field, then rescales the stage from its settings",
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/prod`);
      await sizing().getByTestId('sizing-now').waitFor();
      expect(await sizing().getByLabel('Maximum tasks').inputValue()).toBe('6');

      // Act: a maximum below the desired count, which the API refuses naming scaling.maxCount
      await sizing().getByLabel('Tasks', { exact: true }).fill('8');
      await sizing().getByRole('button', { name: 'Save size & scaling' }).click();
      const maxError = sizing()
        .locator('.field', { has: s.page.getByLabel('Maximum tasks') })
        .locator('.field-error');
      await maxError.waitFor();
      const refusal = await maxError.textContent();

      // Act: a fixed count of 3 at 0.5 vCPU (2 GB, which Fargate allows with it, is kept)
      await sizing().getByLabel('CPU', { exact: true }).selectOption('512');
      await sizing().getByLabel('Autoscaling on CPU between a minimum and a maximum').uncheck();
      await sizing().getByLabel('Tasks', { exact: true }).fill('3');
      await sizing().getByRole('button', { name: 'Save size & scaling' }).click();

      // Assess
      expect(refusal).toContain('scaling.maxCount must be at least desiredCount (8)');
      await s.page
        .locator('.operation', { hasText: 'Update stage prod' })
        .locator('.badge[data-status="SUCCEEDED"]')
        .first()
        .waitFor();
      await sizing().getByText('Now: 0.5 vCPU · 2 GB, 3 tasks.').waitFor();
      await s.checkPage('sizing-settings');
    },
    STEP_MS,
  );
});
