import { databaseWiring } from '../domain/database';
import { platformEnvironment, serviceEnvironment, serviceEnvironmentNames } from '../domain/environment';
import { renderStageTemplate } from '../templates/stage';
import type { StageRef, TaskDeps } from './deps';

type Deps = Pick<TaskDeps, 'store'>;

/** Renders the stage's CloudFormation template from its recorded settings and its databases. */
export async function renderStage(ref: StageRef, deps: Pick<TaskDeps, 'store' | 'databases'>) {
  const stack = await deps.store.requireStack(ref.tenantId, ref.stackId);
  const stage = await deps.store.requireStage(ref.tenantId, ref.stackId, ref.stageName);
  const wiring = databaseWiring(await deps.databases.allDatabases(ref));
  const environment = serviceEnvironment(
    stage.environment,
    platformEnvironment({
      stackId: stack.stackId,
      stageName: stage.name,
      port: stage.port,
      deploymentId: ref.operationId,
      databases: wiring.environment,
    }),
  );
  const template = renderStageTemplate({
    stackId: stack.stackId,
    stackName: stack.name,
    stageName: stage.name,
    region: stage.region,
    port: stage.port,
    loadBalancer: stage.loadBalancer,
    environment,
    origins: stage.origins,
    imageUri: stage.imageUri,
    deploymentId: ref.operationId,
    secrets: wiring.secrets,
    secretArns: wiring.secretArns,
  });
  return {
    templateBody: JSON.stringify(template),
    tags: {
      'tinystacks:stack-id': stack.stackId,
      'tinystacks:stack': stack.name,
      'tinystacks:stage': stage.name,
    },
    serviceEnvironmentNames: serviceEnvironmentNames(environment, wiring.secrets),
  };
}

export interface StageReady extends StageRef {
  outputs: Record<string, string>;
  serviceEnvironmentNames: string[];
}

/** Marks the stage ACTIVE with its outputs and releases its lock, in one write. */
export async function recordStageReady(input: StageReady, deps: Deps) {
  const stage = { tenantId: input.tenantId, stackId: input.stackId, name: input.stageName };
  await deps.store.setStageOutputs(stage, input.operationId, input.outputs, input.serviceEnvironmentNames);
  return {};
}

export async function removeStage(ref: StageRef, deps: Deps) {
  await deps.store.removeStage(
    { tenantId: ref.tenantId, stackId: ref.stackId, name: ref.stageName },
    ref.operationId,
  );
  return {};
}

export interface FailureInput extends StageRef {
  /** What a Catch put at $.error: Step Functions' { Error, Cause }. */
  error?: { Error?: string; Cause?: string };
}

/** Lambda errors arrive with a JSON Cause; the reason a person needs is its errorMessage. */
export function failureReason(error: FailureInput['error']): string {
  const cause = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the reason
  }
  return cause || error?.Error || 'unknown error';
}

/** Records why the operation failed, on the operation and the stage, and unlocks the stage. */
export async function recordFailure(input: FailureInput, deps: Deps) {
  const reason = failureReason(input.error).slice(0, 2000);
  const stage = { tenantId: input.tenantId, stackId: input.stackId, name: input.stageName };
  await deps.store.finishOperation(input.tenantId, input.operationId, 'FAILED', reason);
  await deps.store.releaseStageLock(stage, input.operationId, 'FAILED', reason);
  return { reason, stageStatus: 'FAILED' };
}
