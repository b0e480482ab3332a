import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  PipelineNotFoundException,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { CloudError } from '../errors';
import type { PipelineExecution, PipelineExecutionStatus, PipelinePort, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

const clients = new BoundedCache<CodePipelineClient>(MAX_CACHED);

const codePipeline = (target: TargetAccount) =>
  customerClient(clients, target, (config) => new CodePipelineClient(config));

function mapped(error: unknown, pipelineName: string): unknown {
  if (isThrottling(error))
    return new CloudError('Throttled', `CodePipeline throttled a call on ${pipelineName}`);
  if (error instanceof PipelineNotFoundException)
    return Object.assign(new Error(`pipeline ${pipelineName} does not exist`), { name: 'PipelineNotFound' });
  return error;
}

const STATUS: Record<string, PipelineExecutionStatus> = {
  InProgress: 'InProgress',
  Stopping: 'InProgress',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Cancelled: 'Failed',
  Stopped: 'Stopped',
  Superseded: 'Superseded',
};

/**
 * The stack's pipeline in the customer's account, through their role (as src/cloud/aws/stacks.ts
 * does for CloudFormation). The source action is named `Source` in src/templates/pipeline.ts.
 */
export const pipelines: PipelinePort = {
  async start(target, pipelineName, options) {
    const client = await codePipeline(target);
    try {
      const out = await client.send(
        new StartPipelineExecutionCommand({
          name: pipelineName,
          clientRequestToken: options.clientRequestToken,
          ...(options.commitSha
            ? {
                sourceRevisions: [
                  { actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: options.commitSha },
                ],
              }
            : {}),
        }),
      );
      return { executionId: out.pipelineExecutionId! };
    } catch (error) {
      throw mapped(error, pipelineName);
    }
  },

  async getExecution(target, pipelineName, executionId): Promise<PipelineExecution> {
    const client = await codePipeline(target);
    try {
      const out = await client.send(
        new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId: executionId }),
      );
      const execution = out.pipelineExecution;
      const revision =
        execution?.artifactRevisions?.find((r) => r.name === 'Source') ?? execution?.artifactRevisions?.[0];
      return {
        executionId,
        status: STATUS[execution?.status ?? ''] ?? 'Failed',
        ...(revision?.revisionId ? { commitSha: revision.revisionId } : {}),
        ...(execution?.statusSummary ? { reason: execution.statusSummary } : {}),
      };
    } catch (error) {
      throw mapped(error, pipelineName);
    }
  },
};
