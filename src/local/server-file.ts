import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `.tinystacks/server.json`: where the running `npm start` listens (removed when it stops). */
export const serverFileOf = (dataDir: string) => join(dataDir, 'server.json');

/**
 * The URL of the server running on this data folder, for the CLI scripts: `TINYSTACKS_URL` when
 * set, else what the running server recorded (a file left by a server that is gone is ignored),
 * else `PORT` or 3000.
 */
export function runningServerUrl(dataDir: string, env: NodeJS.ProcessEnv): string {
  if (env.TINYSTACKS_URL) return env.TINYSTACKS_URL.replace(/\/$/, '');
  const file = serverFileOf(dataDir);
  if (existsSync(file)) {
    try {
      const { url, pid } = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown; pid?: unknown };
      if (typeof url === 'string' && typeof pid === 'number' && isAlive(pid)) return url;
    } catch {
      // an unreadable file is as good as none
    }
  }
  return `http://127.0.0.1:${env.PORT ?? 3000}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
