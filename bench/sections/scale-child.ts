import type { BenchOptions } from '../lib/options';
import { scaleInThisProcess } from './scale';

process.once('message', (message: { root: string; options: BenchOptions }) => {
  scaleInThisProcess(message.root, message.options).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: (error as Error).stack ?? String(error) }, () => process.exit(1)),
  );
});
