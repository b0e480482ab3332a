import { runLoad, type LoadJob } from './load';

// A load generator in its own process, so its event loop and CPU time are not the server's.
process.on('message', (message: { id: number; job: LoadJob }) => {
  runLoad(message.job).then(
    (summary) => process.send?.({ id: message.id, summary }),
    (error: unknown) => process.send?.({ id: message.id, error: (error as Error).message ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
