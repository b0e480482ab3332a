import { badRequest } from './errors';

/**
 * The CPU and memory pairs Fargate runs (Linux), from AWS's table "Task CPU and memory" in the
 * Amazon ECS Developer Guide: per CPU value (CPU units, 1024 = 1 vCPU), memory in MiB from `min`
 * to `max` in steps of `step`. Any other pair is refused by RegisterTaskDefinition. A unit test
 * checks this table against cfn-lint's copy (aws_ecs_taskdefinition/fargate_cpu_memory.json).
 */
export const FARGATE_CPU_MEMORY = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
] as const;

export type FargateCpu = (typeof FARGATE_CPU_MEMORY)[number]['cpu'];
export const FARGATE_CPUS = FARGATE_CPU_MEMORY.map((row) => row.cpu);

export interface FargateSize {
  /** CPU units: 256 is a quarter vCPU. */
  cpu: number;
  /** MiB. */
  memory: number;
}

/** What every stage runs today: the smallest size, a quarter vCPU and 512 MiB. */
export const DEFAULT_FARGATE_SIZE: FargateSize = { cpu: 256, memory: 512 };

/** The memory values Fargate allows with this CPU; none for a CPU value it does not have. */
export function fargateMemoryFor(cpu: number): number[] {
  const row = FARGATE_CPU_MEMORY.find((r) => r.cpu === cpu);
  if (!row) return [];
  if ('memory' in row) return [...row.memory];
  const values: number[] = [];
  for (let memory = row.min; memory <= row.max; memory += row.step) values.push(memory);
  return values;
}

/** Every pair Fargate runs. */
export const fargateSizes = (): FargateSize[] =>
  FARGATE_CPUS.flatMap((cpu) => fargateMemoryFor(cpu).map((memory) => ({ cpu, memory })));

/** Why Fargate refuses the pair, or undefined when it runs it. */
export function fargateSizeProblem(
  cpu: number,
  memory: number,
): { field: 'cpu' | 'memory'; message: string } | undefined {
  const allowed = fargateMemoryFor(cpu);
  if (allowed.length === 0) {
    return { field: 'cpu', message: `Fargate runs tasks of ${FARGATE_CPUS.join(', ')} CPU units` };
  }
  if (!allowed.includes(memory)) {
    const row = FARGATE_CPU_MEMORY.find((r) => r.cpu === cpu)!;
    const range =
      'memory' in row ? row.memory.join(', ') : `${row.min} to ${row.max} in steps of ${row.step}`;
    return { field: 'memory', message: `with ${cpu} CPU units Fargate allows ${range} MiB` };
  }
  return undefined;
}

/**
 * The task size for a CPU and memory pair, refused with a 400 naming `<field>.cpu` or
 * `<field>.memory` when Fargate does not run it.
 */
export function fargateSize(cpu: number, memory: number, field = 'scaling'): FargateSize {
  const problem = fargateSizeProblem(cpu, memory);
  if (problem) {
    const name = `${field}.${problem.field}`;
    throw badRequest(name, `${name}: ${problem.message}`);
  }
  return { cpu, memory };
}
