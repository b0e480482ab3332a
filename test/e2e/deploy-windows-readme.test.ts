import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '../support/local-server';

/** The first ```bash block of a README section, as a reader copies it. */
function readmeBlock(heading: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const block = /```bash\n([\s\S]*?)\n```/.exec(section);
  if (!block) throw new Error(`no bash block under "## ${heading}"`);
  return block[1]!;
}

/** Runs a script with bash in `cwd`, `set -e` so a failing step fails it; its output, its exit code. */
function bash(script: string, cwd: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * README "Deploy windows", verbatim, against `npm start` with its default build and stack times:
 * from a folder whose `.tinystacks` is the server's data folder (as the repository folder's is).
 * Step 4 waits for a real window opening in one to two minutes.
 */
describe('README: Deploy windows', () => {
  let server: LocalServer;
  let folder: string;

  beforeAll(async () => {
    server = await startLocalServer('deploy-windows-readme', []);
    folder = mkdtempSync(join(tmpdir(), 'tinystacks-readme-windows-'));
    symlinkSync(server.dataDir, join(folder, '.tinystacks'));
  });
  afterAll(async () => {
    await server?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('the walk-through runs as written: a run waits and is overridden; the next waits and goes at its opening', async () => {
    // Act
    const { code, output } = await bash(readmeBlock('Deploy windows'), folder);

    // Assess
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(
      /"status": "WAITING_FOR_WINDOW",\s+"prod": \{\s+"status": "WAITING_FOR_WINDOW",\s+"opensAt": "\d{4}-\d\d-\d\dT09:00:00.000Z"/,
    );
    expect(output).toMatch(/"by": "[^"]+",\s+"reason": "hotfix for the checkout outage"/);
    expect(output).toContain(
      'is not waiting for the deploy window of prod: its deploy window was already overridden by',
    );
    expect(output).toMatch(/prod goes at \d{4}-\d\d-\d\dT\d\d:\d\d:00.000Z/);
    expect(output).toContain('{"status":"SUCCEEDED","override":null}');
    const stacks = await server.api.get<{ items: { stackId: string; name: string }[] }>('/v1/stacks');
    const stack = stacks.body.items.find((s) => s.name === 'windows-demo')!;
    const runs = await server.api.get<{
      items: {
        stages: { name: string; opensAt: string | null; endedAt: string | null; override: unknown }[];
      }[];
    }>(`/v1/stacks/${stack.stackId}/runs`);
    const [second, first] = runs.body.items.map((run) => run.stages.find((s) => s.name === 'prod')!);
    // The second run deployed by itself, and not before its window opened.
    expect(second!.override).toBeNull();
    expect(Date.parse(second!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(second!.opensAt!));
    expect(first!.override).toMatchObject({ reason: 'hotfix for the checkout outage' });
    expect(Date.parse(first!.endedAt!)).toBeLessThan(Date.parse(first!.opensAt!));
  }, 300_000);
});
