import * as z from 'zod/mini';

/** A deployment's id (src/domain/deployment.ts): `dep_` and 26 lower-case ULID characters. */
export const deploymentIdField = z
  .string()
  .check(z.regex(/^dep_[0-9a-z]{26}$/, 'is not a deployment id (dep_ and 26 letters or digits)'));

/** POST …/rollback: the deployment to redeploy. */
export const rollbackBody = z.strictObject({ deploymentId: deploymentIdField });
export type RollbackBody = z.infer<typeof rollbackBody>;
