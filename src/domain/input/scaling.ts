import * as z from 'zod/mini';
import { MAX_TASKS, scalingProblem } from '../scaling';
import { fargateCpu, fargateMemory, fargatePair } from './fargate';

const taskCount = z
  .int('must be a whole number of tasks')
  .check(z.minimum(0, 'must be at least 0'), z.maximum(MAX_TASKS, `must be at most ${MAX_TASKS}`));

/**
 * `scaling: {cpu, memory, desiredCount, minCount?, maxCount?, targetCpuPercent?}`: the task size
 * (a pair Fargate runs: a bad one is a 400 naming `scaling.memory` or `scaling.cpu`), how many
 * tasks run, and, when maxCount > minCount, autoscaling between them on average CPU.
 */
export const stageScaling = z
  .strictObject({
    cpu: fargateCpu,
    memory: fargateMemory,
    desiredCount: taskCount,
    minCount: z.optional(taskCount),
    maxCount: z.optional(taskCount),
    targetCpuPercent: z.optional(
      z
        .int('must be a whole percentage')
        .check(z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
    ),
  })
  .check(
    fargatePair(),
    z.superRefine((scaling, ctx) => {
      const problem = scalingProblem(scaling);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.field], input: scaling });
      }
    }),
  );
export type StageScalingBody = z.infer<typeof stageScaling>;

/**
 * The path the load balancer's health check asks for: Elastic Load Balancing's own rule ("must
 * begin with a '/' and can only consist of the characters a-z, A-Z, 0-9, and @:%_+.~#?&/=", and
 * hyphens), at most 1,024 characters (the target group's registry schema).
 */
export const healthCheckPath = z
  .string()
  .check(
    z.maxLength(1024, 'must be at most 1024 characters'),
    z.regex(
      /^\/[A-Za-z0-9@:%_+.~#?&/=-]*$/,
      'must start with / and hold only letters, digits and @:%_+.~#?&/=- (encode anything else as %XX)',
    ),
  );

/** `rollbackAlarms: {http5xxPercent?, unhealthyHosts?}`: at least one; a stage with a load balancer only. */
export const rollbackAlarms = z
  .strictObject({
    http5xxPercent: z.optional(
      z.number().check(z.minimum(0.1, 'must be at least 0.1'), z.maximum(100, 'must be at most 100')),
    ),
    unhealthyHosts: z.optional(
      z
        .int('must be a whole number of tasks')
        .check(z.minimum(1, 'must be at least 1'), z.maximum(MAX_TASKS, `must be at most ${MAX_TASKS}`)),
    ),
  })
  .check(
    z.refine(
      (alarms) => alarms.http5xxPercent !== undefined || alarms.unhealthyHosts !== undefined,
      'must set http5xxPercent, unhealthyHosts or both (null removes the alarms)',
    ),
  );
