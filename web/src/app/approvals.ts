import { ok, type ApiClient } from '../api/client';
import type { Approval } from '../api/types';

/** The approvals waiting for a decision on one stack (the API lists the tenant's, newest first). */
export async function pendingApprovalsOf(api: ApiClient, stackId: string): Promise<Approval[]> {
  const page = await ok(api.GET('/v1/approvals', { params: { query: { status: 'pending', limit: 100 } } }));
  return page.items.filter((approval) => approval.stackId === stackId);
}
