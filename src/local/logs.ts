import type { LogLine, LogsPort } from '../cloud/ports';
import { decodeToken, encodeToken } from '../store/page';

/**
 * No container runs on the embedded runtime, so a stage's logs hold what the runtime itself
 * recorded for the stage: its deployments (app log) and the API requests made about it (access log).
 */
export class LocalLogs implements LogsPort {
  private readonly groups = new Map<string, LogLine[]>();

  append(logGroupName: string, message: string): void {
    const lines = this.groups.get(logGroupName) ?? [];
    lines.push({ timestamp: new Date().toISOString(), message });
    if (lines.length > 5000) lines.shift();
    this.groups.set(logGroupName, lines);
  }

  async read(
    _target: unknown,
    logGroupName: string,
    options: { since?: string; limit: number; nextToken?: string },
  ): Promise<{ lines: LogLine[]; nextToken?: string }> {
    const position = decodeToken(options.nextToken, {
      partitionKey: 'group',
      partition: logGroupName,
      attributes: ['group', 'index'],
    });
    const start = position ? Number(position.index) : 0;
    const lines = (this.groups.get(logGroupName) ?? []).filter(
      (l) => !options.since || l.timestamp >= options.since,
    );
    const page = lines.slice(start, start + options.limit);
    const next = start + page.length;
    return {
      lines: page,
      nextToken: next < lines.length ? encodeToken({ group: logGroupName, index: next }) : undefined,
    };
  }
}
