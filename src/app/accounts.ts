import { randomBytes } from 'node:crypto';
import type { TargetAccount } from '../cloud/ports';
import type { Store } from '../store/store';

type Deps = { store: Pick<Store, 'tenantExternalId'> };

/** The tenant's external id: made on first use, then the same for every role the tenant registers. */
export const externalIdFor = (deps: Deps, tenantId: string) =>
  deps.store.tenantExternalId(tenantId, () => randomBytes(18).toString('base64url'));

/**
 * The customer account a stack's resources live in, as the task functions and readers reach it:
 * the role and region a workflow's input carries, and the tenant's external id, which it never does.
 */
export async function targetOf(
  deps: Deps,
  tenantId: string,
  target: { roleArn: string; region: string },
): Promise<TargetAccount> {
  return { ...target, externalId: await externalIdFor(deps, tenantId) };
}
