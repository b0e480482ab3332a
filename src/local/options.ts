import { parseArgs } from 'node:util';

export interface CliOptions {
  port: number;
  dataDir?: string;
  stackDelayMs: number;
  /** How long a simulated pipeline build takes. */
  buildDelayMs: number;
  /** When an approval expires. */
  approvalTimeoutSeconds: number;
  allowPrivateWebhooks: boolean;
  webhookRetryScale: number;
}

/**
 * `npm start -- [--memory] [--port N] [--data DIR] [--stack-delay MS] [--allow-private-webhooks]
 * [--webhook-retry-scale F]`; PORT and TINYSTACKS_* env work too.
 */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      memory: { type: 'boolean', default: false },
      port: { type: 'string' },
      data: { type: 'string' },
      'stack-delay': { type: 'string' },
      'build-delay': { type: 'string' },
      'approval-timeout': { type: 'string' },
      'allow-private-webhooks': { type: 'boolean', default: false },
      'webhook-retry-scale': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  const stackDelayMs = Number(values['stack-delay'] ?? env.TINYSTACKS_STACK_DELAY_MS ?? 500);
  if (!Number.isFinite(stackDelayMs) || stackDelayMs < 0)
    throw new Error('--stack-delay must be milliseconds');
  const webhookRetryScale = Number(values['webhook-retry-scale'] ?? env.TINYSTACKS_WEBHOOK_RETRY_SCALE ?? 1);
  if (!Number.isFinite(webhookRetryScale) || webhookRetryScale < 0)
    throw new Error('--webhook-retry-scale must be a number such as 0.01');
  const buildDelayMs = Number(values['build-delay'] ?? env.TINYSTACKS_BUILD_DELAY_MS ?? 2000);
  if (!Number.isFinite(buildDelayMs) || buildDelayMs < 0)
    throw new Error('--build-delay must be milliseconds');
  const approvalTimeoutSeconds = Number(
    values['approval-timeout'] ?? env.TINYSTACKS_APPROVAL_TIMEOUT_SECONDS ?? 7 * 24 * 3600,
  );
  if (!Number.isInteger(approvalTimeoutSeconds) || approvalTimeoutSeconds < 1)
    throw new Error('--approval-timeout must be whole seconds, at least 1');
  return {
    port,
    buildDelayMs,
    approvalTimeoutSeconds,
    dataDir: values.memory ? undefined : (values.data ?? env.TINYSTACKS_DATA_DIR ?? '.tinystacks'),
    stackDelayMs,
    allowPrivateWebhooks: values['allow-private-webhooks'] ?? false,
    webhookRetryScale,
  };
}
