import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalServer, type LocalServer } from '../support/local-server';

/**
 * The README's "Approval policies" walk-through, run verbatim by bash against `npm start`: from a
 * folder that looks like the repository (its package.json, src and node_modules) whose .tinystacks is
 * the server's data folder, as a user runs it from theirs. Skipped, saying so, without jq or curl.
 */
const README = readFileSync(resolve('README.md'), 'utf8');
const tools = ['bash', 'jq', 'curl'].filter((tool) => spawnSync('which', [tool]).status !== 0);
const maybe = tools.length === 0 ? test : test.skip;
if (tools.length > 0)
  process.stdout.write(`README walk-through SKIPPED: no ${tools.join(', ')} on the PATH\n`);

/** The first bash block after `heading`. */
function walkThrough(heading: string): string {
  const section = README.slice(README.indexOf(`\n${heading}\n`));
  const match = /```bash\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no bash block under ${heading}`);
  return match[1]!;
}

let server: LocalServer;
let folder: string;

beforeAll(async () => {
  server = await startLocalServer('policy-readme', ['--stack-delay', '50', '--build-delay', '200']);
  folder = mkdtempSync(join(tmpdir(), 'tinystacks-readme-'));
  for (const entry of ['package.json', 'src', 'node_modules', 'tsconfig.json'])
    symlinkSync(resolve(entry), join(folder, entry));
  symlinkSync(server.dataDir, join(folder, '.tinystacks'));
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

maybe(
  'a stage needing two approvers waits after one and refuses the author’s own approval, as the README shows',
  () => {
    // Prepare
    const script = walkThrough('## Approval policies');

    // Act
    const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: folder,
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, TINYSTACKS_URL: '' },
    });

    // Assess
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const out = run.stdout;
    expect(out).toContain('{"required":2,"approvers":null,"allowSelfApproval":false}');
    expect(out).toContain('{"logins":["mona"],"emails":["mona@example.com"]}');
    expect(out).toMatch(/-lead@example\.com-email\.txt\n[^\n]*-ops@example\.com-email\.txt/);
    expect(out).toContain(
      'mona@example.com is the author of this change, and this stage does not allow self-approval',
    );
    expect(out).toContain('{"status":"PENDING","required":2,"approvals":["lead@example.com"]}');
    expect(out).toContain('WAITING_FOR_APPROVAL');
    expect(out).toContain(
      '{"status":"APPROVED","decidedBy":"ops@example.com","approvals":["lead@example.com","ops@example.com"]}',
    );
    expect(out).toContain('["prod: SUCCEEDED"]');
  },
  180_000,
);
