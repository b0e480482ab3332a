import type { LogLine, LogsPort } from '../cloud/ports';
import { cfnStackNameOf } from '../domain/stage';
import { decodeToken, encodeToken } from '../store/page';
import type { BusEvent } from './bus';
import type { LocalCloudFormation } from './cloudformation';
import { appendJsonLines, jsonLines, readJsonLines, writeFileAtomic } from './state-files';

const KEPT_LINES = 5000;

/** A line of the logs file: a log line of group `g`, or which access log group a stage stack has. */
type Stored = { g: string; t: string; m: string } | { g: string; access: string };

/**
 * No container runs on the embedded runtime, so a stage's logs hold what the runtime itself
 * recorded for the stage: its deployments (app log) and the API requests made about it (access log).
 * With a file, every line is appended to it as it is written and read back at start; the file is
 * rewritten (atomically) without the lines past each group's last 5,000 once it holds twice that.
 */
export class LocalLogs implements LogsPort {
  private readonly groups = new Map<string, LogLine[]>();
  /** A stage stack's access log group, learnt from its outputs. */
  private readonly accessGroups = new Map<string, string>();
  /** Lines in the file: when it holds twice what is kept, it is compacted. */
  private linesInFile = 0;

  constructor(private readonly file?: string) {
    if (!file) return;
    const stored = readJsonLines<Stored>(file);
    for (const line of stored) {
      if ('access' in line) this.accessGroups.set(line.access, line.g);
      else this.keep(line.g, { timestamp: line.t, message: line.m });
    }
    this.linesInFile = stored.length;
  }

  append(logGroupName: string, message: string): void {
    const line = { timestamp: new Date().toISOString(), message };
    this.keep(logGroupName, line);
    this.write([{ g: logGroupName, t: line.timestamp, m: message }]);
  }

  private keep(logGroupName: string, line: LogLine): void {
    const lines = this.groups.get(logGroupName) ?? [];
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    this.groups.set(logGroupName, lines);
  }

  private write(records: Stored[]): void {
    if (!this.file) return;
    appendJsonLines(this.file, records);
    this.linesInFile += records.length;
    const kept = [...this.groups.values()].reduce((sum, lines) => sum + lines.length, this.accessGroups.size);
    if (this.linesInFile > 2 * kept + KEPT_LINES) {
      const all: Stored[] = [
        ...[...this.accessGroups].map(([access, g]) => ({ g, access })),
        ...[...this.groups].flatMap(([g, lines]) => lines.map((l) => ({ g, t: l.timestamp, m: l.message }))),
      ];
      writeFileAtomic(this.file, jsonLines(all));
      this.linesInFile = all.length;
    }
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
      nextToken: next < lines.length ? encodeToken({ group: logGroupName, index: String(next) }) : undefined,
    };
  }

  /** App log: a line per stack that finished deploying, read from its outputs. */
  async recordDeployment(event: BusEvent, cfn: LocalCloudFormation): Promise<void> {
    const detail = event.detail as { 'stack-id': string; 'status-details': { status: string } };
    const status = detail['status-details'].status;
    if (!/_COMPLETE$/.test(status) || status.startsWith('DELETE')) return;
    const stack = (await cfn.describeStacks({ StackName: detail['stack-id'] }, event.region)).Stacks?.[0];
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    if (
      outputs.AccessLogGroupName &&
      stack?.StackName &&
      this.accessGroups.get(stack.StackName) !== outputs.AccessLogGroupName
    ) {
      this.accessGroups.set(stack.StackName, outputs.AccessLogGroupName);
      this.write([{ g: outputs.AccessLogGroupName, access: stack.StackName }]);
    }
    if (outputs.AppLogGroupName) {
      this.append(
        outputs.AppLogGroupName,
        `[embedded runtime] stack ${stack?.StackName} reached ${status}; the service would now run its tasks (no container runs locally)`,
      );
    }
  }

  /** Access log: the API requests made about the stage. */
  recordRequest(method: string, path: string, status: number): void {
    const match = /^\/v1\/stacks\/(stk_[0-9a-z]+)\/stages\/([a-z0-9-]+)/.exec(path);
    const group = match && this.accessGroups.get(cfnStackNameOf(match[1]!, match[2]!));
    if (group)
      this.append(
        group,
        `127.0.0.1 - - [${new Date().toISOString()}] "${method} ${path} HTTP/1.1" ${status} -`,
      );
  }
}
