import * as z from 'zod/mini';
import { bastionBody } from './bastion';
import { stageDatabaseOption } from './database';
import { deployWindows } from './deploy-window';
import { awsRegion, environment, origins, port, stageName } from './fields';
import { MAX_APPROVERS, MAX_REQUIRED_APPROVALS, SLACK_APPROVER } from '../approval-policy';
import { EMAIL, USER_ID } from '../caller';

/**
 * An approval policy (src/domain/approval-policy.ts checks it across fields: `required` at most the
 * number of listed approvers, none listed twice). Nullable: `null` removes the approval.
 */
const approver = z.string().check(
  z.maxLength(254, 'must be at most 254 characters'),
  z.refine(
    (entry) =>
      entry.startsWith('slack:')
        ? SLACK_APPROVER.test(entry)
        : EMAIL.test(entry) || (USER_ID.test(entry) && !entry.includes('@')),
    'must be an email address, a user id (the token’s `sub`) or a Slack member id as slack:U0123ABCD',
  ),
);
export const approvalPolicyBody = z.nullable(
  z.strictObject({
    required: z
      .int()
      .check(
        z.minimum(1, 'must be at least 1'),
        z.maximum(MAX_REQUIRED_APPROVALS, `must be at most ${MAX_REQUIRED_APPROVALS}`),
      ),
    approvers: z.optional(
      z.nullable(
        z
          .array(approver)
          .check(
            z.minLength(1, 'must list at least one approver (or leave approvers out: anyone may approve)'),
            z.maxLength(MAX_APPROVERS, `must list at most ${MAX_APPROVERS} approvers`),
          ),
      ),
    ),
    allowSelfApproval: z.optional(z.boolean()),
  }),
);

export const createStageBody = z.strictObject({
  name: stageName,
  region: z.optional(awsRegion),
  requireApproval: z.optional(z.boolean()),
  /** How many must approve, who may, and whether the author may: replaces `requireApproval`'s one approval. */
  approval: z.optional(approvalPolicyBody),
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
    approval: z.optional(approvalPolicyBody),
    loadBalancer: z.optional(z.boolean()),
    /** Replaced whole; `null` removes them. */
    deployWindows: z.optional(z.nullable(deployWindows)),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'must change at least one setting'));
export type UpdateStageBody = z.infer<typeof updateStageBody>;
