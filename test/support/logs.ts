import { setLogSink } from '../../src/log';

/** Collects the log lines written while a test runs, instead of printing them. */
export function captureLogs(): {
  entries: () => Record<string, unknown>[];
  text: () => string;
  restore: () => void;
} {
  const lines: string[] = [];
  setLogSink((line) => void lines.push(line));
  return {
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
    restore: () => setLogSink((line) => process.stdout.write(`${line}\n`)),
  };
}
