import { parseArgs } from 'node:util';

export interface CliOptions {
  port: number;
  dataDir?: string;
  stackDelayMs: number;
}

/** `npm start -- [--memory] [--port N] [--data DIR] [--stack-delay MS]`; PORT and TINYSTACKS_* env work too. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      memory: { type: 'boolean', default: false },
      port: { type: 'string' },
      data: { type: 'string' },
      'stack-delay': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  const stackDelayMs = Number(values['stack-delay'] ?? env.TINYSTACKS_STACK_DELAY_MS ?? 500);
  if (!Number.isFinite(stackDelayMs) || stackDelayMs < 0)
    throw new Error('--stack-delay must be milliseconds');
  return {
    port,
    dataDir: values.memory ? undefined : (values.data ?? env.TINYSTACKS_DATA_DIR ?? '.tinystacks'),
    stackDelayMs,
  };
}
