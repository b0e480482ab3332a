import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudError } from '../errors';
import type { LogLine, LogsPort, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

const clients = new BoundedCache<CloudWatchLogsClient>(MAX_CACHED);

const cloudWatchLogs = (target: TargetAccount) =>
  customerClient(clients, target, (config) => new CloudWatchLogsClient(config));

export const logs: LogsPort = {
  async read(target, logGroupName, options) {
    const client = await cloudWatchLogs(target);
    try {
      const out = await client.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: options.since ? Date.parse(options.since) : undefined,
          limit: options.limit,
          nextToken: options.nextToken,
        }),
      );
      const lines: LogLine[] = (out.events ?? []).map((e) => ({
        timestamp: new Date(e.timestamp ?? 0).toISOString(),
        message: e.message ?? '',
      }));
      return { lines, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
    } catch (error) {
      // The service creates its log group with the stage; until it does, there is nothing to read.
      if (error instanceof ResourceNotFoundException) return { lines: [] };
      if (isThrottling(error))
        throw new CloudError('Throttled', `CloudWatch Logs throttled reading ${logGroupName}`);
      throw error;
    }
  },
};
