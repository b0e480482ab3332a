import * as z from 'zod/mini';
import { FARGATE_CPUS, fargateSizeProblem } from '../fargate';

/** CPU units from Fargate's list. */
export const fargateCpu = z.literal(
  FARGATE_CPUS,
  `must be one of ${FARGATE_CPUS.join(', ')} (CPU units; 1024 = 1 vCPU)`,
);
export const fargateMemory = z.int('must be an integer number of MiB');

/** Refuses a CPU and memory pair Fargate does not run, naming `memory` (or `cpu`) with what it allows. */
export const fargatePair = <T extends { cpu: number; memory: number }>() =>
  z.superRefine<T>((size, ctx) => {
    const problem = fargateSizeProblem(size.cpu, size.memory);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.field], input: size });
    }
  });

/**
 * A Fargate task size, `{cpu, memory}`: CPU units from Fargate's list, memory in MiB among the
 * values Fargate allows with that CPU (src/domain/fargate.ts). A pair Fargate does not run is a
 * 400 naming `<field>.memory` (or `.cpu`) with the values it does allow. The stage's `scaling`
 * (src/domain/input/scaling.ts) takes its size the same way.
 */
export const fargateTaskSize = z
  .strictObject({ cpu: fargateCpu, memory: fargateMemory })
  .check(fargatePair());
export type FargateTaskSize = z.infer<typeof fargateTaskSize>;
