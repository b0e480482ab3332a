import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { StackEvent } from '../api/types';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { useStage } from '../app/use-stage';
import { StageHeader } from '../components/stage-nav';
import { StatusBadge } from '../components/status';
import { LoadError, Loading, Time } from '../components/ui';

/** Troubleshooting: CloudFormation's events for the stage's stack, newest first; failures stand out. */
export default function StackEventsPage({ stackId, stage: stageName }: { stackId: string; stage: string }) {
  const { api } = useApp();
  const stage = useStage(stackId, stageName);
  const [more, setMore] = useState<StackEvent[]>([]);
  const [token, setToken] = useState<string | null>(null);
  const first = useResource(async () => {
    const page = await ok(
      api.GET('/v1/stacks/{stackId}/stages/{stageName}/stack-events', {
        params: { path: { stackId, stageName }, query: {} },
      }),
    );
    setMore([]);
    setToken(page.nextToken);
    return page.items;
  }, [stackId, stageName, stage.data?.stage.updatedAt]);
  const events = [...(first.data ?? []), ...more];
  return (
    <>
      <StageHeader stackId={stackId} stage={stageName} title="Stack events" data={stage.data} />
      <p class="muted">
        What CloudFormation did to <code>{stage.data?.stage.cfnStackName}</code>, newest first. A failed
        resource says why.
      </p>
      {first.error !== undefined && <LoadError error={first.error} retry={first.reload} />}
      {!first.data && first.loading && <Loading what="stack events" />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Resource</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event, i) => (
              <tr key={i} class={event.status.includes('FAILED') ? 'row-fail' : ''}>
                <td>
                  <Time iso={event.timestamp} />
                </td>
                <td>
                  <span class="mono">{event.logicalId}</span>
                  <br />
                  <span class="muted">{event.resourceType}</span>
                </td>
                <td>
                  <StatusBadge
                    status={
                      event.status.endsWith('FAILED')
                        ? 'FAILED'
                        : event.status.endsWith('COMPLETE')
                          ? 'SUCCEEDED'
                          : 'RUNNING'
                    }
                  />{' '}
                  <span class="small">{event.status}</span>
                </td>
                <td>{event.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {token && (
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            const page = await ok(
              api.GET('/v1/stacks/{stackId}/stages/{stageName}/stack-events', {
                params: { path: { stackId, stageName }, query: { nextToken: token } },
              }),
            );
            setMore((old) => [...old, ...page.items]);
            setToken(page.nextToken);
          }}
        >
          Older events
        </button>
      )}
    </>
  );
}
