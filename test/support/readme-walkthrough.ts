import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
