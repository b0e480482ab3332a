import { STEP_MS, dashboardSession, describeInBrowser } from '../support/dashboard';
import { deliver, pushPayload, runStatus, stackWithStages, type RunBody } from '../support/pipeline';

/**
 * A stage's Deployments page in real Chromium against `npm start`: the history of two pushes and a
 * change CloudFormation rolled back, a rollback confirmed and followed live, a busy stage's 409, and
 * older pages. axe-core and screenshots at 375 px and on a desktop, as for every page.
 */

type Accepted = { operation: { operationId: string } };

describeInBrowser('the Deployments page in Chromium on npm start', () => {
  const s = dashboardSession('dashboard-history', ['--stack-delay', '400', '--build-delay', '200']);
  let stackId = '';
  const runs: RunBody[] = [];

  const rows = () => s.page.locator('tr[data-deployment]');
  const row = (i: number) => rows().nth(i);
  const dialog = () => s.page.getByRole('dialog');
  const deploymentsUrl = () => `${s.server.url}/stacks/${stackId}/stages/prod/deployments`;
  const patched = async (body: Record<string, unknown>) => {
    const reply = await s.server.api.patch<Accepted>(`/v1/stacks/${stackId}/stages/prod`, body);
    return s.server.api.operationEnd(reply.body.operation.operationId);
  };

  beforeAll(async () => {
    // Two pushes deployed to prod, then a change that CloudFormation rolls back
    const stack = await stackWithStages(s.server.api, [{ name: 'prod' }]);
    stackId = stack.stackId;
    for (const message of ['First', 'Second']) {
      const pushed = await deliver(s.server.url, stackId, stack.webhookSecret, pushPayload({ message }));
      runs.push(await runStatus(s.server.api, String(pushed.body.runId), ['SUCCEEDED', 'FAILED'], 60_000));
    }
    const rule = await s.server.api.post('/local/cloudformation/failures', {
      stackName: `tinystacks-${stackId.replace(/_/g, '-')}-prod`,
      logicalId: 'Service',
      reason: 'tasks failed their health checks',
      operation: 'update',
      once: true,
    });
    expect(rule.status).toBe(201);
    expect((await patched({ port: 8080 })).status).toBe('FAILED');
  }, STEP_MS);

  test(
    'shows every deployment newest first: status, image, commit and run links, and why one rolled back',
    async () => {
      // Prepare
      const [first, second] = runs as [RunBody, RunBody];

      // Act
      await s.page.goto(deploymentsUrl());
      await rows().nth(3).waitFor();

      // Assess
      expect(await rows().count()).toBe(4);
      expect(await row(0).locator('.badge').getAttribute('data-status')).toBe('ROLLED_BACK');
      expect(await row(0).textContent()).toContain(
        'Service (AWS::ECS::Service): tasks failed their health checks',
      );
      expect(await row(1).textContent()).toContain('running now');
      for (const [i, run] of [
        [1, second],
        [2, first],
      ] as const) {
        expect(await row(i).locator('.badge').getAttribute('data-status')).toBe('SUCCEEDED');
        expect(
          await row(i)
            .getByRole('link', { name: run.commit.sha!.slice(0, 7) })
            .getAttribute('href'),
        ).toBe(`https://github.com/acme/shop/commit/${run.commit.sha}`);
        expect(await row(i).getByRole('link', { name: /^run_/ }).getAttribute('href')).toBe(
          `/stacks/${stackId}/runs`,
        );
        expect(await row(i).textContent()).toContain(run.commit.sha!.slice(0, 7));
      }
      expect(await row(3).textContent()).toContain('Stage created');
      expect(await row(0).getByRole('button', { name: 'Roll back' }).count()).toBe(0);
      await s.checkPage('deployments');
    },
    STEP_MS,
  );

  test(
    'rolls back to the first push after a confirmation, follows the operation live, and shows the new deployment',
    async () => {
      // Prepare
      const firstDeployment = row(2);
      const restored = await firstDeployment.getAttribute('data-deployment');

      // Act
      await firstDeployment.getByRole('button', { name: 'Roll back' }).click();
      await dialog().getByText('without a build').waitFor();
      await s.checkPage('rollback-confirm');
      await dialog().getByRole('button', { name: 'Roll back' }).click();

      // Assess: the operation, live; then the new deployment on top, naming the one it restored
      const operation = s.page.locator('.operation', { hasText: 'Rollback stage prod' });
      await operation.waitFor();
      await operation.locator('.badge[data-status="SUCCEEDED"]').waitFor();
      await row(0).getByText(restored!).waitFor();
      // The row may first show IN_PROGRESS: the page reloads on the deployment's own event
      await row(0).locator('.badge[data-status="SUCCEEDED"]').waitFor();
      expect(await row(0).textContent()).toContain('running now');
      const stage = await s.server.api.get<{ imageUri: string }>(`/v1/stacks/${stackId}/stages/prod`);
      expect(stage.body.imageUri).toBe(runs[0]!.imageUri);
      await s.checkPage('deployments-rolled-back');
    },
    STEP_MS,
  );

  test(
    'says which operation holds the stage when it is busy (409), and follows it',
    async () => {
      // Prepare: someone changes the stage just before the page's request arrives (stacks take
      // 400 ms here, so the change still holds the stage when the request goes on, even under load)
      await s.page.goto(deploymentsUrl());
      await rows().first().waitFor();
      let busy: Accepted | undefined;
      await s.page.route('**/v1/stacks/*/stages/prod/rollback', async (route) => {
        if (!busy)
          busy = (await s.server.api.patch<Accepted>(`/v1/stacks/${stackId}/stages/prod`, { port: 8081 }))
            .body;
        await route.continue();
      });

      // Act
      await row(2).getByRole('button', { name: 'Roll back' }).click();
      await dialog().getByRole('button', { name: 'Roll back' }).click();

      // Assess
      const notice = dialog().locator('.notice-busy');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(busy!.operation.operationId);
      await s.page.unrouteAll();
      await s.checkPage('rollback-busy');
      await notice.locator('.badge[data-status="SUCCEEDED"]').waitFor();
      await dialog().getByRole('button', { name: 'Cancel' }).click();
    },
    STEP_MS,
  );

  test(
    'pages back through older deployments',
    async () => {
      // Prepare: more deployments than a page holds
      for (let port = 9000; port < 9005; port++) expect((await patched({ port })).status).toBe('SUCCEEDED');

      // Act
      await s.page.goto(deploymentsUrl());
      await rows().nth(9).waitFor();
      const firstPage = await rows().count();
      await s.page.getByRole('button', { name: 'Older deployments' }).click();
      await rows().nth(10).waitFor();

      // Assess
      expect(firstPage).toBe(10);
      expect(await rows().count()).toBe(11);
      expect(await rows().last().textContent()).toContain('Stage created');
      expect(await s.page.getByRole('button', { name: 'Older deployments' }).count()).toBe(0);
    },
    STEP_MS,
  );
});
