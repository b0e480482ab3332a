import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '../support/local-server';

/**
 * The README's "Stage sizing and autoscaling" walk-through, run as it is written (its bash block,
 * with curl and jq) against `npm start` on a free port and a temp data folder, reached as
 * `.tinystacks/` from the folder it runs in, as from the repository folder. Skipped, saying so,
 * where curl or jq is missing.
 */
const tools = ['curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const maybe = tools.length === 0 ? describe : describe.skip;
if (tools.length > 0)
  process.stdout.write(`README sizing walk-through SKIPPED: ${tools.join(' and ')} not installed\n`);

/** The first bash block of a README section. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  return /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

maybe("the README's stage sizing walk-through on npm start", () => {
  let server: LocalServer;
  let folder: string;

  beforeAll(async () => {
    server = await startLocalServer('sizing', ['--stack-delay', '50']);
    folder = mkdtempSync(join(tmpdir(), 'tinystacks-readme-sizing-'));
    symlinkSync(server.dataDir, join(folder, '.tinystacks'));
  });
  afterAll(async () => {
    await server.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  test('scales a stage to 1024/2048 with 2–6 tasks, refuses a bad pair, and rolls a deploy back on an alarm', () => {
    // Prepare
    const block = readmeBlock('Stage sizing and autoscaling');

    // Act
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: folder,
      encoding: 'utf8',
      timeout: 120_000,
    });

    // Assess
    expect(block).toContain('/local/alarms');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const operations = lines.filter((line) => line.startsWith('{"type":'));
    expect(operations.map((line) => (JSON.parse(line) as { status: string }).status)).toEqual([
      'SUCCEEDED', // 1. the stage
      'SUCCEEDED', // 3. the alarms
      'FAILED', // 5. the deploy while an alarm is in ALARM
      'SUCCEEDED', // 6. the same deploy once it is OK
      'SUCCEEDED', // 7. back to the defaults
      'SUCCEEDED', // 7. the stage deleted
      'SUCCEEDED', // 7. the stack deleted
    ]);
    expect(operations[2]).toContain(
      "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'",
    );
    expect(operations[2]).toMatch(/Deployment failed: alarm detected: \S+-prod-http-5xx in ALARM/);
    expect(lines).toContain(
      '{"scaling":{"cpu":1024,"memory":2048,"desiredCount":2,"minCount":2,"maxCount":6,"targetCpuPercent":60},"healthCheckPath":"/index.html"}',
    );
    expect(JSON.parse(lines.find((line) => line.includes('"field":"scaling.memory"'))!)).toMatchObject({
      code: 'ValidationError',
      field: 'scaling.memory',
    });
    const afterFailure = lines.slice(lines.indexOf(operations[2]!) + 1);
    expect(afterFailure[0]).toMatch(
      /^\{"logicalId":"tinystacks-stk-[0-9a-z]{26}-prod","status":"UPDATE_ROLLBACK_COMPLETE"\}$/,
    );
    expect(lines).toContain('{"status":"ACTIVE","failedChange":{"RELEASE":"2"}}');
    const rolledBack = JSON.parse(lines.find((line) => line.startsWith('{"status":"ROLLED_BACK"'))!) as {
      reason: string;
    };
    expect(rolledBack.reason).toMatch(/alarm detected: \S+-prod-http-5xx in ALARM/);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'DELETE_STACK', status: 'SUCCEEDED' });
  });
});
