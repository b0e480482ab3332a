import * as z from 'zod/mini';
import { FARGATE_CPUS, fargateSizeProblem } from '../fargate';

/**
 * A Fargate task size, `{cpu, memory}`: CPU units from Fargate's list, memory in MiB among the
 * values Fargate allows with that CPU (src/domain/fargate.ts). A pair Fargate does not run is a
 * 400 naming `<field>.memory` (or `.cpu`) with the values it does allow. For the stage's
 * `scaling` settings.
 */
export const fargateTaskSize = z
  .strictObject({
    cpu: z.literal(FARGATE_CPUS, `must be one of ${FARGATE_CPUS.join(', ')} (CPU units; 1024 = 1 vCPU)`),
    memory: z.int('must be an integer number of MiB'),
  })
  .check(
    z.superRefine((size, ctx) => {
      const problem = fargateSizeProblem(size.cpu, size.memory);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.field], input: size });
      }
    }),
  );
export type FargateTaskSize = z.infer<typeof fargateTaskSize>;
