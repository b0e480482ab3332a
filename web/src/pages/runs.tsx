import { ok } from '../api/client';
import { pendingApprovalsOf } from '../app/approvals';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { Breadcrumbs, PageTitle } from '../components/layout';
import { ApprovalDecision, ApprovalFacts, DeployButton, RunRow } from '../components/runs';
import { ApprovalProgress } from '../components/approval-policy';
import { LoadError, Loading } from '../components/ui';
import { isInProgress } from '../lib/status';
import { useLiveReload } from '../live/hooks';

/** Runs and approvals: a stack's runs with each stage's progress, the approvals waiting, "Deploy". */
export default function RunsPage({ stackId }: { stackId: string }) {
  const { api } = useApp();
  const data = useResource(async () => {
    const [stack, runs, approvals] = await Promise.all([
      ok(api.GET('/v1/stacks/{stackId}', { params: { path: { stackId } } })),
      ok(api.GET('/v1/stacks/{stackId}/runs', { params: { path: { stackId }, query: { limit: 25 } } })),
      pendingApprovalsOf(api, stackId),
    ]);
    return { stack, runs: runs.items, approvals };
  }, [stackId]);
  useLiveReload({
    matches: (e) => e.detail.stackId === stackId,
    busy: data.data?.runs.some((r) => isInProgress(r.status)) ?? false,
    reload: data.reload,
  });
  if (!data.data)
    return data.error !== undefined ? (
      <LoadError error={data.error} retry={data.reload} />
    ) : (
      <Loading what="the runs" />
    );
  const { stack, runs, approvals } = data.data;
  return (
    <>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Your stacks' },
          { href: `/stacks/${stackId}`, label: stack.name },
          { label: 'Runs' },
        ]}
      />
      <PageTitle title={`${stack.name}: runs`}>
        <DeployButton stack={stack} onStarted={() => void data.reload()} />
      </PageTitle>
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Waiting for approval</h2>
        {approvals.length === 0 ? (
          <p class="muted">Nothing waits for approval.</p>
        ) : (
          <ul class="cards">
            {approvals.map((approval) => (
              <li key={approval.approvalId} class="card" data-approval={approval.approvalId}>
                <h3>Deploy to {approval.stageName}?</h3>
                <ApprovalFacts approval={approval} />
                <ApprovalProgress approval={approval} />
                <ApprovalDecision approval={approval} onDecided={() => void data.reload()} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {runs.length === 0 ? (
          <p class="muted">No runs yet: push to {stack.branch}, or Deploy.</p>
        ) : (
          <ol class="cards" aria-label="Runs, newest first">
            {runs.map((run) => (
              <RunRow key={run.runId} run={run} onChanged={() => void data.reload()} />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
