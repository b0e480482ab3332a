import { randomBytes, randomUUID } from 'node:crypto';
import type { PipelineExecution, PipelinePort, TargetAccount } from '../cloud/ports';
import { pipelineCfnStackNameOf, stackIdOfPipeline } from '../domain/pipeline';
import type { BusEvent } from './bus';
import { isCloudFormationError, type LocalCloudFormation } from './cloudformation';
import { readJson, writeJsonAtomic } from './state-files';
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
  /** When the build started (epoch ms): a build under way at a restart ends when it would have. */
  startedAt?: number;
}

/** What the simulated CodePipeline keeps under the data folder. */
interface StoredPipelines {
  executions: LocalExecution[];
  byRequestToken: [string, string][];
  rules: BuildFailureRule[];
}

const KEPT_EXECUTIONS = 1000;
const BUILT = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * CodePipeline on one machine. Nothing is built: a build "runs" for a configurable time, then
 * succeeds (the image tag is the commit, pushed for the build project's architecture; the run's
 * artifacts stay in the artifact bucket) or fails when a rule says so, or at the push when the
 * repository is IMMUTABLE and already has the commit's tag, as ECR would refuse it, and the pipeline's state
 * changes go on the bus in CodePipeline's own event shape, as the customer's forwarding rule would
 * deliver them. The pipeline must exist: its CloudFormation stack, created by the create-pipeline
 * workflow on the simulated CloudFormation, must be complete. With a file, executions, request
 * tokens and failure rules are written (atomically) at every change and read back at start, where
 * builds that were under way are finished: CodePipeline does not stop when this process does.
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
      /** Where executions are kept across restarts; without it, in memory only. */
      file?: string;
      /** Receives each run's artifacts (the artifact bucket) and image (built for the project's architecture). */
      services?: SimulatedServices;
    },
  ) {
    const stored = options.file ? readJson<StoredPipelines>(options.file) : undefined;
    for (const execution of stored?.executions ?? []) this.executions.set(execution.executionId, execution);
    for (const [token, executionId] of stored?.byRequestToken ?? [])
      this.byRequestToken.set(token, executionId);
    this.rules = stored?.rules ?? [];
  }

  failWhen(rule: BuildFailureRule): void {
    this.rules.push(rule);
    this.save();
  }

  clearFailures(): void {
    this.rules = [];
    this.save();
  }

  /** Finishes the builds that were under way when the process stopped (once the rules listen). */
  resume(): void {
    for (const execution of this.executions.values()) {
      if (execution.status !== 'InProgress') continue;
      const elapsed = Date.now() - (execution.startedAt ?? 0);
      this.finishLater(execution, Math.max(0, this.options.buildDelayMs - elapsed));
    }
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
      startedAt: Date.now(),
    };
    this.executions.set(executionId, execution);
    this.save();
    this.emit(execution, 'STARTED');
    this.finishLater(execution, this.options.buildDelayMs);
    return { executionId };
  }

  private finishLater(execution: LocalExecution, delayMs: number): void {
    const stackId = stackIdOfPipeline(execution.pipelineName);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const rule = this.rules.find((r) => r.stackId === '*' || r.stackId === stackId);
      if (rule?.once) this.rules = this.rules.filter((r) => r !== rule);
      // A build that got as far as its push can still fail there: ECR refuses a tag an IMMUTABLE repository has.
      const reason = rule
        ? (rule.reason ?? 'the Docker build failed (simulated)')
        : this.options.services?.pushRefusal(execution.pipelineName, execution.commitSha!);
      execution.status = reason ? 'Failed' : 'Succeeded';
      if (reason) execution.reason = reason;
      this.options.services?.recordBuild(execution.pipelineName, execution.commitSha!, !reason);
      this.save();
      this.emit(execution, reason ? 'FAILED' : 'SUCCEEDED');
    }, delayMs);
    this.timers.add(timer);
  }

  private save(): void {
    if (!this.options.file) return;
    // The newest executions are enough: a run reads its build's outcome once, when it ends.
    for (const [id, execution] of this.executions) {
      if (this.executions.size <= KEPT_EXECUTIONS) break;
      if (execution.status === 'InProgress') continue;
      this.executions.delete(id);
      for (const [token, executionId] of this.byRequestToken)
        if (executionId === id) this.byRequestToken.delete(token);
    }
    const stored: StoredPipelines = {
      executions: [...this.executions.values()],
      byRequestToken: [...this.byRequestToken],
      rules: this.rules,
    };
    writeJsonAtomic(this.options.file, stored);
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
    const { pipelineName: _p, region: _r, startedAt: _s, ...rest } = execution;
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
