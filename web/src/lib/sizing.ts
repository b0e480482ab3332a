import { FARGATE_CPUS, fargateMemoryFor } from '../../../src/domain/fargate';
import { DEFAULT_HEALTH_CHECK_PATH, DEFAULT_TARGET_CPU_PERCENT } from '../../../src/domain/scaling';
import type { Stage } from '../api/types';

/**
 * The Size & scaling form: CPU and memory only in Fargate's pairs (src/domain/fargate.ts, the API's
 * own table), the task counts, autoscaling's CPU target, the health check path and the rollback
 * alarms. Counts are kept as typed (text) until the form is sent.
 */
export type StageScaling = Stage['settings']['scaling'];
export type RollbackAlarms = NonNullable<Stage['settings']['rollbackAlarms']>;

export interface SizingDraft {
  cpu: number;
  memory: number;
  desiredCount: string;
  autoscaling: boolean;
  minCount: string;
  maxCount: string;
  targetCpuPercent: string;
  healthCheckPath: string;
  http5xxPercent: string;
  unhealthyHosts: string;
}

export const CPU_CHOICES = FARGATE_CPUS;

/** `256` → `0.25 vCPU`. */
export const cpuLabel = (cpu: number) => `${cpu / 1024} vCPU`;
/** `512` → `512 MiB`, `2048` → `2 GB`. */
export const memoryLabel = (memory: number) => (memory < 1024 ? `${memory} MiB` : `${memory / 1024} GB`);

/** The memory Fargate allows with this CPU. */
export const memoryChoices = (cpu: number): number[] => fargateMemoryFor(cpu);

/** After a CPU change: the same memory if Fargate still allows it, else the least it allows. */
export function withCpu(draft: SizingDraft, cpu: number): SizingDraft {
  const choices = memoryChoices(cpu);
  return { ...draft, cpu, memory: choices.includes(draft.memory) ? draft.memory : choices[0]! };
}

/** The form as a stage's settings show it. */
export function draftOf(settings: Pick<Stage['settings'], 'scaling' | 'healthCheckPath' | 'rollbackAlarms'>) {
  const { scaling, rollbackAlarms } = settings;
  const autoscaling = scaling.maxCount > scaling.minCount;
  return {
    cpu: scaling.cpu,
    memory: scaling.memory,
    desiredCount: String(scaling.desiredCount),
    autoscaling,
    minCount: String(scaling.minCount),
    maxCount: String(autoscaling ? scaling.maxCount : Math.max(scaling.desiredCount * 3, 2)),
    targetCpuPercent: String(scaling.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT),
    healthCheckPath: settings.healthCheckPath,
    http5xxPercent: rollbackAlarms?.http5xxPercent === undefined ? '' : String(rollbackAlarms.http5xxPercent),
    unhealthyHosts: rollbackAlarms?.unhealthyHosts === undefined ? '' : String(rollbackAlarms.unhealthyHosts),
  } satisfies SizingDraft;
}

/** A new stage's form: today's defaults. */
export const defaultDraft = (): SizingDraft =>
  draftOf({
    scaling: { cpu: 256, memory: 512, desiredCount: 1, minCount: 1, maxCount: 1, targetCpuPercent: null },
    healthCheckPath: DEFAULT_HEALTH_CHECK_PATH,
    rollbackAlarms: null,
  });

const NUMBER = /^\d+(\.\d+)?$/;

/**
 * The request's `scaling`, `healthCheckPath` and `rollbackAlarms` from the form, with the page's own
 * errors (by the API's field names) for what is not a number; the API checks the rest and names the
 * field. Alarms only with a load balancer; none set is `null`.
 */
export function sizingBody(draft: SizingDraft, loadBalancer: boolean) {
  const errors: Record<string, string> = {};
  const count = (field: string, text: string) => {
    if (!/^\d+$/.test(text.trim())) errors[field] = `${field} must be a whole number`;
    return Number(text);
  };
  const scaling = {
    cpu: draft.cpu as (typeof CPU_CHOICES)[number],
    memory: draft.memory,
    desiredCount: count('scaling.desiredCount', draft.desiredCount),
    ...(draft.autoscaling
      ? {
          minCount: count('scaling.minCount', draft.minCount),
          maxCount: count('scaling.maxCount', draft.maxCount),
          targetCpuPercent: count('scaling.targetCpuPercent', draft.targetCpuPercent),
        }
      : {}),
  };
  const alarms: RollbackAlarms = {};
  if (loadBalancer && draft.http5xxPercent.trim()) {
    if (!NUMBER.test(draft.http5xxPercent.trim()))
      errors['rollbackAlarms.http5xxPercent'] = 'rollbackAlarms.http5xxPercent must be a number';
    alarms.http5xxPercent = Number(draft.http5xxPercent);
  }
  if (loadBalancer && draft.unhealthyHosts.trim())
    alarms.unhealthyHosts = count('rollbackAlarms.unhealthyHosts', draft.unhealthyHosts);
  return {
    body: {
      scaling,
      healthCheckPath: draft.healthCheckPath.trim() || DEFAULT_HEALTH_CHECK_PATH,
      rollbackAlarms: Object.keys(alarms).length > 0 ? alarms : null,
    },
    errors,
  };
}

/** `1 vCPU · 2 GB` */
export const sizeText = (scaling: StageScaling) =>
  `${cpuLabel(scaling.cpu)} · ${memoryLabel(scaling.memory)}`;

/** `1 task`, `3 tasks`, `2–6 tasks (autoscaling at 60 % CPU)` */
export function tasksText(scaling: StageScaling): string {
  if (scaling.maxCount > scaling.minCount) {
    return `${scaling.minCount}–${scaling.maxCount} tasks (autoscaling at ${scaling.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT} % CPU)`;
  }
  return `${scaling.desiredCount} task${scaling.desiredCount === 1 ? '' : 's'}`;
}
