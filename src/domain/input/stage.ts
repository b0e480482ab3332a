import * as z from 'zod/mini';
import { bastionBody } from './bastion';
import { stageDatabaseOption } from './database';
import { deployWindows } from './deploy-window';
import { awsRegion, environment, origins, port, stageName } from './fields';

export const createStageBody = z.strictObject({
  name: stageName,
  region: z.optional(awsRegion),
  requireApproval: z.optional(z.boolean()),
  loadBalancer: z.optional(z.boolean()),
  port: z.optional(port),
  environment: z.optional(environment),
  origins: z.optional(origins),
  /** A database of its own, or a read replica of another stage's: started once the stage is ACTIVE. */
  database: z.optional(stageDatabaseOption),
  /** A bastion host for the stage's databases: started after the database. */
  bastion: z.optional(bastionBody),
  /** When a run may deploy the stage; outside every window it waits (src/domain/deploy-window.ts). */
  deployWindows: z.optional(z.nullable(deployWindows)),
});
export type CreateStageBody = z.infer<typeof createStageBody>;

export const updateStageBody = z
  .strictObject({
    environment: z.optional(environment),
    origins: z.optional(origins),
    port: z.optional(port),
    requireApproval: z.optional(z.boolean()),
    loadBalancer: z.optional(z.boolean()),
    /** Replaced whole; `null` removes them. */
    deployWindows: z.optional(z.nullable(deployWindows)),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one setting'));
export type UpdateStageBody = z.infer<typeof updateStageBody>;
