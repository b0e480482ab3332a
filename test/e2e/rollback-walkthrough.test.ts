import { validateEvent } from '../support/event-schemas';
import { subscribe } from '../support/local-server';
import { jsonLines, walkThroughSession } from '../support/readme-walkthrough';

/**
 * The README's "Deployment history and rollback" walk-through, run verbatim by bash against `npm start`
 * (a free port and a temp data folder, seen from the script as `.tinystacks/`): two pushes deployed to
 * prod, then a rollback to the first in one call, with no build, visible in the history; an update
 * CloudFormation rolled back shows ROLLED_BACK and why.
 */
const SECTION = '## Deployment history and rollback';

describe('the README’s deployment history walk-through, verbatim, on npm start', () => {
  const session = walkThroughSession('rollback-walkthrough', ['--stack-delay', '50', '--build-delay', '100']);

  test('two pushes deployed to prod, a rollback to the first in one call (no build), a rolled-back update and why', async () => {
    // Prepare
    const sse = await subscribe(session.server.url, session.server.token);

    // Act
    const stdout = await session.run(SECTION);

    // Assess: the history after the two pushes (step 3): newest first, each push with its run and commit
    const lines = jsonLines(stdout);
    const [pushed2, pushed1, created] = lines.slice(0, 3);
    expect([pushed2, pushed1, created].map((d) => [d!.operationType, d!.status])).toEqual([
      ['UPDATE_STAGE', 'SUCCEEDED'],
      ['UPDATE_STAGE', 'SUCCEEDED'],
      ['CREATE_STAGE', 'SUCCEEDED'],
    ]);
    expect(pushed1).toMatchObject({ runId: expect.stringMatching(/^run_/), commit: expect.any(String) });
    expect(pushed1!.imageUri).toBe(`${String(pushed1!.imageUri).split(':')[0]}:${String(pushed1!.commit)}`);
    expect(pushed2!.imageUri).not.toBe(pushed1!.imageUri);

    // Assess: after the rollback (step 5): a new deployment on top, naming the first push's; prod runs its image
    const after = lines.slice(3, 7);
    expect(after.map((d) => [d.operationType, d.status, d.rollbackOf])).toEqual([
      ['ROLLBACK_STAGE', 'SUCCEEDED', pushed1!.deploymentId],
      ['UPDATE_STAGE', 'SUCCEEDED', null],
      ['UPDATE_STAGE', 'SUCCEEDED', null],
      ['CREATE_STAGE', 'SUCCEEDED', null],
    ]);
    expect(after[0]!.commit).toBe(pushed1!.commit);
    expect(lines[7]).toEqual({ imageUri: pushed1!.imageUri, deploymentId: after[0]!.deploymentId });
    expect(stdout).toMatch(/^2$/m); // still two runs: nothing was built

    // Assess: the update CloudFormation rolled back (step 6), and the refused rollback to it (step 7)
    expect(lines[8]).toEqual({
      status: 'ROLLED_BACK',
      reason: 'Service (AWS::ECS::Service): tasks failed their health checks',
    });
    expect(lines[9]).toEqual({ status: 'ACTIVE', deploymentId: after[0]!.deploymentId, port: 80 });
    expect(lines[10]).toMatchObject({ code: 'ValidationError', field: 'deploymentId' });
    expect(String(lines[10]!.message)).toContain('never succeeded (ROLLED_BACK)');

    // Assess: the deployments' events, each valid against its schema
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    const deploymentEvents = sse.events.filter((e) => e.event === 'Deployment Status Change');
    expect(deploymentEvents.map((e) => e.data.detail.status)).toEqual([
      'IN_PROGRESS',
      'SUCCEEDED',
      'IN_PROGRESS',
      'SUCCEEDED',
      'IN_PROGRESS',
      'SUCCEEDED',
      'IN_PROGRESS',
      'SUCCEEDED',
      'IN_PROGRESS',
      'ROLLED_BACK',
    ]);
    for (const event of deploymentEvents) expect(validateEvent(event.data)).toEqual([]);
  }, 300_000);
});
