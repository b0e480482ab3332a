import { ok } from '../api/client';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { PageTitle } from '../components/layout';
import { ApprovalDecision, ApprovalFacts } from '../components/runs';
import { ApprovalProgress } from '../components/approval-policy';
import { LoadError, Loading } from '../components/ui';
import { useLiveReload } from '../live/hooks';

/** Every approval of the tenant waiting for a decision, newest first. */
export default function ApprovalsPage() {
  const { api } = useApp();
  const approvals = useResource(
    () => ok(api.GET('/v1/approvals', { params: { query: { status: 'pending', limit: 100 } } })),
    [],
  );
  useLiveReload({
    matches: (e) => e['detail-type'].startsWith('Approval'),
    busy: false,
    reload: approvals.reload,
  });
  return (
    <>
      <PageTitle title="Approvals" />
      {approvals.error !== undefined && <LoadError error={approvals.error} retry={approvals.reload} />}
      {!approvals.data && approvals.loading && <Loading what="approvals" />}
      {approvals.data?.items.length === 0 && <p class="empty">Nothing waits for approval.</p>}
      <ul class="cards">
        {approvals.data?.items.map((approval) => (
          <li key={approval.approvalId} class="card" data-approval={approval.approvalId}>
            <h2>
              <a href={`/approvals/${approval.approvalId}`}>
                Deploy {approval.stackName} to {approval.stageName}?
              </a>
            </h2>
            <ApprovalFacts approval={approval} />
            <ApprovalProgress approval={approval} />
            <ApprovalDecision approval={approval} onDecided={() => void approvals.reload()} />
          </li>
        ))}
      </ul>
    </>
  );
}
