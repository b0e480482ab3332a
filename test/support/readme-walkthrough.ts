import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalServer, type LocalServer } from './local-server';

/** The README's walk-throughs, run verbatim by bash against `npm start` (test/e2e/*-walkthrough.test.ts). */
const REPOSITORY = process.cwd();

/** The first bash block of the README's section that starts with `heading`. */
export function walkThrough(heading: string): string {
  const readme = readFileSync(join(REPOSITORY, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  return /```bash\n([\s\S]*?)```/.exec(section)![1]!;
}

/** A folder that looks like the repository to the script: `.tinystacks` is the server's data folder. */
export function workingFolder(dataDir: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'tinystacks-readme-'));
  symlinkSync(dataDir, join(folder, '.tinystacks'));
  for (const name of ['package.json', 'node_modules', 'src', 'tsconfig.json'])
    symlinkSync(join(REPOSITORY, name), join(folder, name));
  return folder;
}

/** The script's output lines that are JSON objects, in order. */
export const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

export interface WalkThroughSession {
  readonly server: LocalServer;
  /** Runs the first bash block of the README section `heading` (`bash -e -o pipefail`); its stdout. */
  run(heading: string): Promise<string>;
}

/** `npm start` (with `args`) and a working folder on it for the enclosing suite, removed after it. */
export function walkThroughSession(name: string, args: string[]): WalkThroughSession {
  let server: LocalServer | undefined;
  let folder: string | undefined;
  beforeAll(async () => {
    server = await startLocalServer(name, args);
    folder = workingFolder(server.dataDir);
  });
  afterAll(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    await server?.dispose();
  });
  return {
    get server() {
      if (!server) throw new Error('the walk-through session has not started (use it inside a test)');
      return server;
    },
    async run(heading) {
      const { stdout } = await promisify(execFile)(
        'bash',
        ['-e', '-o', 'pipefail', '-c', walkThrough(heading)],
        {
          cwd: folder,
          timeout: 240_000,
          maxBuffer: 8 * 1024 * 1024,
        },
      );
      return stdout;
    },
  };
}
