import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newStack } from '../support/client';
import { startLocalServer, type LocalServer } from '../support/local-server';

/** What a new user runs in a second shell while `npm start` runs on a port of its own. */
let server: LocalServer;
let stackId: string;

beforeAll(async () => {
  server = await startLocalServer('newcomer', ['--build-delay', '200', '--stack-delay', '50']);
});
afterAll(async () => {
  await server?.dispose();
});

/** A CLI script as `npm run <script>` runs it, with neither PORT nor TINYSTACKS_URL set. */
function cli(script: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TINYSTACKS_DATA_DIR: server.dataDir };
  delete env.PORT;
  delete env.TINYSTACKS_URL;
  return spawnSync('node_modules/.bin/tsx', [`src/local/cli/${script}.ts`, ...args], {
    env,
    encoding: 'utf8',
  });
}

test('npm run webhook and npm run token find the running server from .tinystacks/server.json', async () => {
  // Prepare
  const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack());
  stackId = stack.body.stackId;

  // Act
  const recorded = JSON.parse(readFileSync(join(server.dataDir, 'server.json'), 'utf8')) as { url: string };
  const push = cli('webhook', [stack.body.stackId]);
  const token = cli('token', ['acme']);

  // Assess
  expect(recorded.url).toBe(server.url);
  expect(push.status).toBe(0);
  expect(push.stdout).toMatch(/: 202 \{"runId":"run_/);
  expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(token.stderr).toContain(`a token of tenant acme for ${server.url}`);
});

test('the record goes when the server stops: the push then fails instead of reaching a stale port', async () => {
  // Act
  await server.stop();
  const push = cli('webhook', [stackId]);

  // Assess
  expect(existsSync(join(server.dataDir, 'server.json'))).toBe(false);
  expect(push.status).not.toBe(0);
});
