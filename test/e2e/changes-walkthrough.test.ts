import { validateEvent } from '../support/event-schemas';
import { subscribe } from '../support/local-server';
import { jsonLines, walkThroughSession } from '../support/readme-walkthrough';

/**
 * The README's "The change, shown at the approval" walk-through, run verbatim by bash against
 * `npm start` (a free port and a temp data folder, seen from the script as `.tinystacks/`): an
 * approval that shows the image change, the commits and the changed variable names, and executes
 * exactly that change; a PATCH while it waits plans again; a rejection deletes the plan.
 */
const SECTION = '## The change, shown at the approval';

describe('the README’s change-at-the-approval walk-through, verbatim, on npm start', () => {
  const session = walkThroughSession('changes-walkthrough', ['--stack-delay', '50', '--build-delay', '100']);

  test('the approval shows image, commits, variables and resources; a PATCH replans; approve executes; reject stops', async () => {
    // Prepare
    const sse = await subscribe(session.server.url, session.server.token);

    // Act
    const stdout = await session.run(SECTION);

    // Assess: step 2, the change of the second push (three commits on top of the deployed one)
    const [changes, patched, replanned, environment, stage, settings] = jsonLines(stdout);
    expect(changes).toMatchObject({
      image: { from: expect.stringMatching(/^[0-9a-f]{40}$/), to: expect.stringMatching(/^[0-9a-f]{40}$/) },
      commits: {
        compareUrl: expect.stringMatching(/^https:\/\/github\.com\/acme\/shop\/compare\//),
        count: 3,
      },
      environment: { added: [], removed: [], changed: [] },
    });
    expect(changes!.resources).toContain('Modify TaskDefinition replacement=True');
    // step 3: the PATCH waits for the run's deploy; the approval was planned again with it
    expect(patched).toEqual({ type: 'UPDATE_STAGE', status: 'PENDING' });
    expect(replanned).toEqual({
      status: 'REPLANNED',
      closedReason: expect.stringContaining('settings of prod'),
    });
    expect(environment).toEqual({ added: ['FEATURE_FLAGS'], removed: [], changed: ['GREETING'] });
    expect(stdout).toContain('Variables: added FEATURE_FLAGS; changed GREETING');
    // step 4: approved, the run ends with the variables deployed
    expect(stage).toEqual({ status: 'SUCCEEDED', replanned: [expect.stringContaining('settings of prod')] });
    expect(settings).toEqual({ GREETING: 'hi', FEATURE_FLAGS: 'checkout-v2' });
    expect(stdout.match(/^APPROVED$/gm)).toHaveLength(2);
    expect(stdout).toMatch(/^REJECTED$/m);

    // Assess: the approval events, each valid against its schema
    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    const approvals = sse.events.filter((e) => e.event.startsWith('Approval '));
    expect(approvals.map((e) => `${e.event}:${String(e.data.detail.status)}`)).toEqual([
      'Approval Requested:PENDING',
      'Approval Decided:APPROVED',
      'Approval Requested:PENDING',
      'Approval Decided:REPLANNED',
      'Approval Requested:PENDING',
      'Approval Decided:APPROVED',
      'Approval Requested:PENDING',
      'Approval Decided:REJECTED',
    ]);
    for (const event of approvals) expect(validateEvent(event.data)).toEqual([]);
  }, 300_000);
});
