import { newStack } from '../support/client';
import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';

/**
 * Deploy windows in the dashboard, in real Chromium against `npm start`: a stage's windows set on the
 * Add Stage form (the API's error landing on the control it names), a run waiting for the window with
 * when it goes, the Override dialog, the override shown on the run, the windows removed on the
 * stage's settings page. axe-core and screenshots on each page (test-artifacts/dashboard/).
 */

/** The day after tomorrow (UTC), as the form labels it and the API names it: a window there is closed now. */
const DAYS = [
  ['Sun', 'sun'],
  ['Mon', 'mon'],
  ['Tue', 'tue'],
  ['Wed', 'wed'],
  ['Thu', 'thu'],
  ['Fri', 'fri'],
  ['Sat', 'sat'],
] as const;
const [CLOSED_LABEL, CLOSED_DAY] = DAYS[(new Date().getUTCDay() + 2) % 7]!;

describeInBrowser('deploy windows in the dashboard', () => {
  const s = dashboardSession('dashboard-windows', ['--stack-delay', '60', '--build-delay', '200']);
  let stackId = '';

  const badge = (scope: string, status: string) =>
    s.page.locator(`${scope} .badge[data-status="${status}"]`).first();
  const dialog = () => s.page.getByRole('dialog');

  beforeAll(async () => {
    const stack = await s.server.api.post<{ stackId: string }>('/v1/stacks', newStack());
    stackId = stack.body.stackId;
  }, STEP_MS);

  test(
    'Add Stage with a deploy window: no day is refused on the days, then the column says when it deploys',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await badge('.page', 'ACTIVE').waitFor(); // the build pipeline
      await s.page.getByRole('button', { name: 'Add Stage' }).first().click();
      await dialog().getByLabel('Stage name').fill('prod');
      await dialog().getByRole('button', { name: '+ Add window' }).click();
      const window = dialog().locator('fieldset[data-window="0"]');
      await window.getByLabel('From').fill('09:00');
      await window.getByLabel('Until').fill('10:00');
      await window.getByLabel('Time zone').selectOption('UTC');
      for (const [label] of DAYS) await window.getByLabel(label, { exact: true }).uncheck();

      // Act: no day at all
      await dialog().getByRole('button', { name: 'Add Stage' }).click();

      // Assess: the API's 400 (deployWindows.0.days) is shown on the days, and nothing was created
      await window.getByRole('alert').filter({ hasText: 'at least one day' }).waitFor();
      await s.checkPage('windows-add-stage-error');
      expect((await s.server.api.get(`/v1/stacks/${stackId}/stages/prod`)).status).toBe(404);

      // Act: one day, the day after tomorrow
      await window.getByLabel(CLOSED_LABEL, { exact: true }).check();
      await dialog().getByRole('button', { name: 'Add Stage' }).click();

      // Assess
      await badge('li[data-stage="prod"] header', 'ACTIVE').waitFor();
      const marker = s.page.locator('li[data-stage="prod"] .window-marker');
      expect(await marker.textContent()).toBe(`Deploys ${CLOSED_LABEL} 09:00–10:00 (UTC)`);
      const stage = await s.server.api.get<{ settings: { deployWindows: unknown } }>(
        `/v1/stacks/${stackId}/stages/prod`,
      );
      expect(stage.body.settings.deployWindows).toEqual([
        { days: [CLOSED_DAY], start: '09:00', end: '10:00', timeZone: 'UTC' },
      ]);
      await s.checkPage('windows-stack');
    },
    STEP_MS,
  );

  test(
    'a run waits for the window, showing when it goes; Override asks why, deploys now and says who and why',
    async () => {
      // Prepare: Deploy, and follow the run
      await s.page.getByRole('button', { name: 'Deploy' }).click();
      await dialog().getByRole('button', { name: 'Deploy' }).click();
      await dialog().getByRole('link', { name: 'Follow it on Runs' }).click();
      const prod = s.page.locator('li.run').first().locator('li[data-stage-status]', { hasText: 'prod' });
      const wait = prod.locator('.window-wait');
      await wait.waitFor();
      const run = (
        await s.server.api.get<{ items: { stages: { name: string; opensAt: string | null }[] }[] }>(
          `/v1/stacks/${stackId}/runs`,
        )
      ).body.items[0]!;
      const opensAt = run.stages.find((s) => s.name === 'prod')!.opensAt!;
      expect(new Date(opensAt).getUTCHours()).toBe(9);
      expect(await wait.locator('time').getAttribute('datetime')).toBe(opensAt);
      await badge('li.run', 'WAITING_FOR_WINDOW').waitFor();
      await s.checkPage('windows-run-waiting');

      // Act: Override without a reason, then with one
      await wait.getByRole('button', { name: 'Override' }).click();
      await dialog().getByRole('heading', { name: 'Deploy prod now?' }).waitFor();
      await dialog().getByRole('button', { name: 'Deploy now' }).click();
      await dialog().getByText('Say why the stage is deployed outside its windows.').waitFor();
      await s.checkPage('windows-override-dialog');
      await dialog().getByLabel('Reason').fill('hotfix for the checkout outage');
      await dialog().getByRole('button', { name: 'Deploy now' }).click();

      // Assess: the run goes on at once, and says who overrode and why
      await dialog().waitFor({ state: 'detached' });
      await s.page.locator('li.run').first().locator('header .badge[data-status="SUCCEEDED"]').waitFor();
      expect(await prod.locator('.window-override').textContent()).toBe(
        'deployed outside its window by local-user: “hotfix for the checkout outage”',
      );
      expect(await prod.locator('.window-wait').count()).toBe(0);
      await s.checkPage('windows-run-overridden');
    },
    STEP_MS,
  );

  test(
    'the settings page shows the window; removing it saves null, and the column drops its marker',
    async () => {
      // Prepare
      await s.page.goto(`${s.server.url}/stacks/${stackId}/stages/prod`);
      const section = s.page.locator('section', {
        has: s.page.getByRole('heading', { name: 'Deploy windows' }),
      });
      await section.locator('fieldset[data-window="0"]').waitFor();
      expect(await section.getByLabel('From').inputValue()).toBe('09:00');
      expect(await section.getByLabel(CLOSED_LABEL, { exact: true }).isChecked()).toBe(true);
      await s.checkPage('windows-settings');

      // Act
      await section.getByRole('button', { name: 'Remove window 1' }).click();
      await section.getByRole('button', { name: 'Save windows' }).click();

      // Assess
      await badge('.operation', 'SUCCEEDED').waitFor();
      await section.getByText('No windows: a run deploys this stage whenever it gets there.').waitFor();
      const stage = await s.server.api.get<{ settings: { deployWindows: unknown } }>(
        `/v1/stacks/${stackId}/stages/prod`,
      );
      expect(stage.body.settings.deployWindows).toBeNull();
      await s.page.goto(`${s.server.url}/stacks/${stackId}`);
      await badge('li[data-stage="prod"] header', 'ACTIVE').waitFor();
      expect(await s.page.locator('li[data-stage="prod"] .window-marker').count()).toBe(0);
    },
    STEP_MS,
  );
});
