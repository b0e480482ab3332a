import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, type Client } from './client';

/**
 * `npm start` for end-to-end tests: the same entry point (src/local/main.ts), on a free port and a
 * temp data folder, driven over HTTP as a new user would.
 */
export interface LocalServer {
  url: string;
  dataDir: string;
  /** The token `npm start` writes for its default tenant. */
  token: string;
  api: Client;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** A token for another tenant (or user, with an email), as `npm run token -- <tenant> [user] [email]` makes it. */
  tokenFor(tenantId: string, userId?: string, email?: string): string;
  /** Stops the server (SIGINT, as Ctrl-C); its data folder stays for inspection. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL, as `kill -9`: nothing runs on the way out); its data folder stays. */
  kill(): Promise<void>;
  /** Stops the server and removes its data folder. */
  dispose(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** SIGKILL to the server's process group (tsx and the node process it runs the server in). */
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

const LISTENING = /listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;

export async function startLocalServer(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  /** Start on this data folder (a restart) rather than a new one. */
  reuse?: { dataDir: string },
): Promise<LocalServer> {
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), `tinystacks-e2e-${name}-`));
  const port = await freePort();
  const child = spawn(
    'node_modules/.bin/tsx',
    ['src/local/main.ts', '--port', String(port), '--data', dataDir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      // Its own process group: tsx runs the server in a child process, and `kill()` kills both.
      detached: true,
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!LISTENING.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      killGroup(child.pid!);
      if (!reuse) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = LISTENING.exec(output)![1]!;
  const token = readFileSync(join(dataDir, 'local-token'), 'utf8').trim();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  return {
    url,
    dataDir,
    token,
    api: client(url, token),
    output: () => output,
    tokenFor(tenantId, userId, email) {
      const args = [tenantId, ...(userId ? [userId] : []), ...(userId && email ? [email] : [])];
      const made = spawnSync('node_modules/.bin/tsx', ['src/local/cli/token.ts', ...args], {
        env: { ...process.env, TINYSTACKS_DATA_DIR: dataDir },
        encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`npm run token failed: ${made.stderr}`);
      return made.stdout.trim();
    },
    stop,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) killGroup(child.pid!);
      await exited;
    },
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Sse {
  events: { event: string; data: { detail: Record<string, unknown> } & Record<string, unknown> }[];
  /** The stream as it came, to search it for what must never be in it. */
  raw: string[];
  close(): void;
}

/** Follows `GET /v1/events` (server-sent events), collecting every event until closed. */
export async function subscribe(url: string, token: string): Promise<Sse> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const sse: Sse = { events: [], raw: [], close: () => controller.abort() };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        sse.raw.push(text);
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) sse.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return sse;
}
