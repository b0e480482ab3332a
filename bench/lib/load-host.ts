import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runLoad, type LoadJob, type RawLoad } from './load';

type Reply = { id: number; summary?: RawLoad; error?: string; ready?: boolean };

/** Runs load jobs in a child process (the default) or in this one. */
export interface LoadRunner {
  where: 'child' | 'inprocess';
  run(job: LoadJob): Promise<RawLoad>;
  close(): Promise<void>;
}

export function inProcessRunner(client?: DynamoDBClient): LoadRunner {
  return { where: 'inprocess', run: (job) => runLoad(job, client), close: async () => {} };
}

export async function childRunner(): Promise<LoadRunner> {
  // The tsx hooks this process runs under (process.execArgv) let the child load TypeScript too.
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-child.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (s: RawLoad) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('load generator did not start within 30 s')), 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
  });
  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.summary) waiter.resolve(reply.summary);
    else waiter.reject(new Error(reply.error ?? 'load generator failed'));
  });
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('load generator exited'));
    pending.clear();
  });
  return {
    where: 'child',
    run: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, job });
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
