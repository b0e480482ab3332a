import type { LogLine, LogsPort } from '../cloud/ports';
import { cfnStackNameOf } from '../domain/stage';
import { decodeToken, encodeToken } from '../store/page';
import type { BusEvent } from './bus';
import type { LocalCloudFormation } from './cloudformation';

/**
 * No container runs on the embedded runtime, so a stage's logs hold what the runtime itself
 * recorded for the stage: its deployments (app log) and the API requests made about it (access log).
 */
export class LocalLogs implements LogsPort {
  private readonly groups = new Map<string, LogLine[]>();
  /** A stage stack's access log group, learnt from its outputs. */
  private readonly accessGroups = new Map<string, string>();

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
    if (outputs.AccessLogGroupName && stack?.StackName)
      this.accessGroups.set(stack.StackName, outputs.AccessLogGroupName);
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
