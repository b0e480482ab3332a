/**
 * One JSON line per entry, for CloudWatch Logs Insights. Callers pass ids and statuses only: request
 * bodies, secrets and tokens are never logged.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = LEVELS[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? LEVELS.info;

let sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

/** The embedded runtime routes log lines through its own console and log file. */
export function setLogSink(write: (line: string) => void): void {
  sink = write;
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold) return;
  sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

/** Error fields safe to log: the class and message, never the request that caused it. */
export const errorFields = (error: unknown) =>
  error instanceof Error ? { error: error.name, errorMessage: error.message } : { error: String(error) };
