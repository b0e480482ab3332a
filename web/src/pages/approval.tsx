import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { Approval } from '../api/types';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { Breadcrumbs, PageTitle } from '../components/layout';
import { ApprovalDecision, ApprovalFacts } from '../components/runs';
import { ApprovalProgress } from '../components/approval-policy';
import { LoadError, Loading } from '../components/ui';

/** One approval, for a signed-in user (email and Slack links open the API's own page, styled alike). */
export default function ApprovalPage({ approvalId }: { approvalId: string }) {
  const { api } = useApp();
  const [decided, setDecided] = useState<Approval>();
  const approval = useResource(
    () =>
      ok(
        api.GET('/v1/approvals/{approvalId}', {
          params: { path: { approvalId }, query: {} },
          headers: { accept: 'application/json' },
        }),
      ),
    [approvalId],
  );
  const shown = decided ?? approval.data;
  return (
    <>
      <Breadcrumbs items={[{ href: '/approvals', label: 'Approvals' }, { label: approvalId }]} />
      <PageTitle title={shown ? `Deploy ${shown.stackName} to ${shown.stageName}?` : 'Approval'} />
      {approval.error !== undefined && <LoadError error={approval.error} retry={approval.reload} />}
      {!shown && approval.loading && <Loading what="the approval" />}
      {shown && (
        <section class="card">
          <ApprovalFacts approval={shown} />
          <ApprovalProgress approval={shown} />
          {shown.status === 'PENDING' && <ApprovalDecision approval={shown} onDecided={setDecided} />}
          <p>
            <a href={`/stacks/${shown.stackId}/runs`}>The stack’s runs</a>
          </p>
        </section>
      )}
    </>
  );
}
