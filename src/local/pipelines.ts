import { randomBytes, randomUUID } from 'node:crypto';
import type { PipelineExecution, PipelinePort, TargetAccount } from '../cloud/ports';
import { pipelineCfnStackNameOf, stackIdOfPipeline } from '../domain/pipeline';
import type { BusEvent } from './bus';
import { isCloudFormationError, type LocalCloudFormation } from './cloudformation';
import type { SimulatedServices } from './cloudformation/effects';

export interface BuildFailureRule {
  /** A stack id, or `*` for every stack. */
  stackId: string;
  reason?: string;
  /** Fails only the next build. */
  once?: boolean;
}

interface LocalExecution extends PipelineExecution {
  pipelineName: string;
  region: string;
}

const BUILT = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * CodePipeline on one machine. Nothing is built: a build "runs" for a configurable time, then
 * succeeds (the image tag is the commit, pushed for the build project's architecture; the run's
 * artifacts stay in the artifact bucket) or fails when a rule says so, and the pipeline's state
 * changes go on the bus in CodePipeline's own event shape, as the customer's forwarding rule would
 * deliver them. The pipeline must exist: its CloudFormation stack, created by the create-pipeline
 * workflow on the simulated CloudFormation, must be complete.
 */
export class LocalPipelines implements PipelinePort {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly byRequestToken = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private rules: BuildFailureRule[] = [];

  constructor(
    private readonly options: {
      cfn: LocalCloudFormation;
      publish: (event: BusEvent) => void;
      buildDelayMs: number;
      account: string;
      /** Receives each run's artifacts (the artifact bucket) and image (built for the project's architecture). */
      services?: SimulatedServices;
    },
  ) {}

  failWhen(rule: BuildFailureRule): void {
    this.rules.push(rule);
  }

  clearFailures(): void {
    this.rules = [];
  }

  async start(
    target: TargetAccount,
    pipelineName: string,
    options: { commitSha?: string; clientRequestToken: string },
  ): Promise<{ executionId: string }> {
    const known = this.byRequestToken.get(options.clientRequestToken);
    if (known) return { executionId: known };
    const stackId = stackIdOfPipeline(pipelineName);
    const status = stackId ? await this.pipelineStackStatus(stackId, target.region) : undefined;
    if (!status || !BUILT.includes(status)) {
      throw Object.assign(new Error(`pipeline ${pipelineName} does not exist`), { name: 'PipelineNotFound' });
    }
    const executionId = randomUUID();
    this.byRequestToken.set(options.clientRequestToken, executionId);
    // Without an override the source action fetches the branch's head: here, a made-up commit.
    const execution: LocalExecution = {
      executionId,
      pipelineName,
      region: target.region,
      status: 'InProgress',
      commitSha: options.commitSha ?? randomBytes(20).toString('hex'),
    };
    this.executions.set(executionId, execution);
    this.emit(execution, 'STARTED');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const rule = this.rules.find((r) => r.stackId === '*' || r.stackId === stackId);
      if (rule?.once) this.rules = this.rules.filter((r) => r !== rule);
      execution.status = rule ? 'Failed' : 'Succeeded';
      if (rule) execution.reason = rule.reason ?? 'the Docker build failed (simulated)';
      this.options.services?.recordBuild(pipelineName, execution.commitSha!, !rule);
      this.emit(execution, rule ? 'FAILED' : 'SUCCEEDED');
    }, this.options.buildDelayMs);
    this.timers.add(timer);
    return { executionId };
  }

  async getExecution(
    _target: TargetAccount,
    pipelineName: string,
    executionId: string,
  ): Promise<PipelineExecution> {
    const execution = this.executions.get(executionId);
    if (!execution || execution.pipelineName !== pipelineName) {
      throw Object.assign(new Error(`no execution ${executionId} of ${pipelineName}`), {
        name: 'PipelineExecutionNotFound',
      });
    }
    const { pipelineName: _p, region: _r, ...rest } = execution;
    return { ...rest };
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async pipelineStackStatus(stackId: string, region: string): Promise<string | undefined> {
    try {
      const out = await this.options.cfn.describeStacks(
        { StackName: pipelineCfnStackNameOf(stackId) },
        region,
      );
      return out.Stacks?.[0]?.StackStatus;
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return undefined;
      throw error;
    }
  }

  private emit(execution: LocalExecution, state: string): void {
    const { account } = this.options;
    this.options.publish({
      version: '0',
      id: randomUUID(),
      'detail-type': 'CodePipeline Pipeline Execution State Change',
      source: 'aws.codepipeline',
      account,
      time: new Date().toISOString(),
      region: execution.region,
      resources: [`arn:aws:codepipeline:${execution.region}:${account}:${execution.pipelineName}`],
      detail: {
        pipeline: execution.pipelineName,
        'execution-id': execution.executionId,
        'execution-trigger': { 'trigger-type': 'StartPipelineExecution', 'trigger-detail': 'tinystacks' },
        state,
        version: 1,
      },
    });
  }
}
