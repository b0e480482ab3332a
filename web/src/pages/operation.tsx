import { Breadcrumbs, PageTitle } from '../components/layout';
import { OperationStatus } from '../components/operation';
import { Time } from '../components/ui';
import { useOperation } from '../live/hooks';
import { operationLabel } from '../lib/status';

/** One operation, live: what it does, when, and how it ended. */
export default function OperationPage({ operationId }: { operationId: string }) {
  const operation = useOperation(operationId);
  return (
    <>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Your stacks' },
          ...(operation?.stageName
            ? [
                {
                  href: `/stacks/${operation.stackId}/stages/${operation.stageName}`,
                  label: operation.stageName,
                },
              ]
            : operation
              ? [{ href: `/stacks/${operation.stackId}`, label: 'stack' }]
              : []),
          { label: operationId },
        ]}
      />
      <PageTitle title={operation ? operationLabel(operation.type) : 'Operation'} />
      <OperationStatus operationId={operationId} />
      {operation && (
        <dl class="facts card">
          {operation.stageName ? (
            <>
              <dt>Stage</dt>
              <dd>
                <a href={`/stacks/${operation.stackId}/stages/${operation.stageName}`}>
                  {operation.stageName}
                </a>
              </dd>
            </>
          ) : (
            <>
              <dt>Stack</dt>
              <dd>
                <a href={`/stacks/${operation.stackId}`}>{operation.stackId}</a>
              </dd>
            </>
          )}
          <dt>Created</dt>
          <dd>
            <Time iso={operation.createdAt} />
          </dd>
          <dt>Started</dt>
          <dd>
            <Time iso={operation.startedAt} />
          </dd>
          <dt>Ended</dt>
          <dd>
            <Time iso={operation.endedAt} />
          </dd>
          <dt>Input</dt>
          <dd>
            <pre class="mono small">{JSON.stringify(operation.input, null, 2)}</pre>
          </dd>
        </dl>
      )}
    </>
  );
}
