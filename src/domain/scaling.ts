import { DEFAULT_FARGATE_SIZE } from './fargate';
import { badRequest } from './errors';

/**
 * A stage's size and task count, its load balancer's health check, and the alarms that roll a
 * deployment back: the `scaling`, `healthCheckPath` and `rollbackAlarms` settings. Their input
 * schemas are in src/domain/input/scaling.ts; the templates that use them in src/templates.
 */

/** ECS runs 0 to 100 tasks of a stage (the API's bound; a service could run more). */
export const MAX_TASKS = 100;
/** The CPU the target-tracking policy keeps the tasks at, on average, when none is given. */
export const DEFAULT_TARGET_CPU_PERCENT = 60;
/** What the load balancer asks each task for, unless the stage says otherwise. */
export const DEFAULT_HEALTH_CHECK_PATH = '/';

/** The `scaling` setting, every field resolved. */
export interface StageScaling {
  /** CPU units (1024 = 1 vCPU) and MiB: a pair Fargate runs (src/domain/fargate.ts). */
  cpu: number;
  memory: number;
  /** Tasks the service runs: when the stage is created, and whenever `scaling` is changed. */
  desiredCount: number;
  /** The autoscaler's bounds; both equal `desiredCount` when the count is fixed. */
  minCount: number;
  maxCount: number;
  /** The average CPU the autoscaler keeps; null when the count is fixed. */
  targetCpuPercent: number | null;
}

/** What a request gives: the counts' bounds and the CPU target are optional. */
export interface ScalingInput {
  cpu: number;
  memory: number;
  desiredCount: number;
  minCount?: number;
  maxCount?: number;
  targetCpuPercent?: number;
}

/** Today's stages: the smallest task, one of it. */
export const DEFAULT_SCALING: StageScaling = {
  ...DEFAULT_FARGATE_SIZE,
  desiredCount: 1,
  minCount: 1,
  maxCount: 1,
  targetCpuPercent: null,
};

/** Autoscaling (Application Auto Scaling, target tracking on CPU) runs when the count may vary. */
export const autoscales = (scaling: StageScaling): boolean => scaling.maxCount > scaling.minCount;

/**
 * The setting a request asks for (null or absent: the defaults). The bounds default to the desired
 * count, so `{desiredCount: 2, maxCount: 6}` scales between 2 and 6; the CPU target applies only
 * when the count may vary. The input schema has already refused what does not hold together.
 */
export function resolveScaling(input: ScalingInput | null | undefined): StageScaling {
  if (!input) return { ...DEFAULT_SCALING };
  const minCount = input.minCount ?? input.desiredCount;
  const maxCount = input.maxCount ?? input.desiredCount;
  return {
    cpu: input.cpu,
    memory: input.memory,
    desiredCount: input.desiredCount,
    minCount,
    maxCount,
    targetCpuPercent: maxCount > minCount ? (input.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT) : null,
  };
}

/**
 * Why the counts do not hold together, by field, or undefined. `minCount ≤ desiredCount ≤ maxCount`
 * (Application Auto Scaling keeps the count within its bounds, so a desired count outside them would
 * never be what runs), and a CPU target only with a range to scale in.
 */
export function scalingProblem(
  input: ScalingInput,
): { field: keyof ScalingInput; message: string } | undefined {
  const { minCount, maxCount } = resolveScaling({ ...input, targetCpuPercent: undefined });
  if (minCount > input.desiredCount)
    return { field: 'minCount', message: `must be at most desiredCount (${input.desiredCount})` };
  if (maxCount < input.desiredCount)
    return { field: 'maxCount', message: `must be at least desiredCount (${input.desiredCount})` };
  if (input.targetCpuPercent !== undefined && maxCount <= minCount) {
    return {
      field: 'targetCpuPercent',
      message: 'applies only with autoscaling: give a maxCount greater than minCount',
    };
  }
  return undefined;
}

/**
 * `rollbackAlarms`: CloudWatch alarms on the stage's target group that ECS watches during each
 * deployment, rolling it back when one goes into ALARM.
 */
export interface RollbackAlarms {
  /** Percent of the requests the tasks answer with a 5xx, per minute. */
  http5xxPercent?: number;
  /** Tasks the load balancer finds unhealthy at once. */
  unhealthyHosts?: number;
}

/** The settings that depend on each other, checked once they are resolved (on create and PATCH). */
export function assertSizingSettings(settings: {
  loadBalancer: boolean;
  rollbackAlarms: RollbackAlarms | null;
}): void {
  if (settings.rollbackAlarms && !settings.loadBalancer) {
    throw badRequest(
      'rollbackAlarms',
      'rollbackAlarms: the alarms watch the load balancer, and this stage has none: give loadBalancer: true, or rollbackAlarms: null',
    );
  }
}
