import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { Deployment, Stack, Stage } from '../api/types';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { useStage } from '../app/use-stage';
import { FormActions, useForm } from '../components/form';
import { OperationStatus } from '../components/operation';
import { StageHeader } from '../components/stage-nav';
import { StatusBadge } from '../components/status';
import { Dialog, LoadError, Loading, Time } from '../components/ui';
import { isInProgress } from '../lib/status';
import { useLiveReload } from '../live/hooks';

const PAGE = 10;

/**
 * Deployments: every create or update of the stage's stack, newest first (pipeline runs, settings
 * changes, rollbacks, database changes), with its image, commit, run and outcome; "Roll back"
 * redeploys one that succeeded, without a build.
 */
export default function DeploymentsPage({ stackId, stage: stageName }: { stackId: string; stage: string }) {
  const { api } = useApp();
  const stage = useStage(stackId, stageName);
  const [more, setMore] = useState<Deployment[]>([]);
  const [token, setToken] = useState<string | null>(null);
  const [operationId, setOperationId] = useState<string>();
  const first = useResource(async () => {
    const page = await ok(
      api.GET('/v1/stacks/{stackId}/stages/{stageName}/deployments', {
        params: { path: { stackId, stageName }, query: { limit: PAGE } },
      }),
    );
    setMore([]);
    setToken(page.nextToken);
    return page.items;
  }, [stackId, stageName]);
  const deployments = [...(first.data ?? []), ...more];
  useLiveReload({
    matches: (e) =>
      e['detail-type'] === 'Deployment Status Change' &&
      e.detail.stackId === stackId &&
      e.detail.stageName === stageName,
    busy: deployments.some((d) => isInProgress(d.status)),
    reload: first.reload,
  });
  const olderPage = async () => {
    const page = await ok(
      api.GET('/v1/stacks/{stackId}/stages/{stageName}/deployments', {
        params: { path: { stackId, stageName }, query: { limit: PAGE, nextToken: token! } },
      }),
    );
    setMore((old) => [...old, ...page.items]);
    setToken(page.nextToken);
  };
  return (
    <>
      <StageHeader stackId={stackId} stage={stageName} title="Deployments" data={stage.data} />
      <p class="muted">
        Every deployment of the stage, newest first: pipeline runs, settings changes, rollbacks and database
        changes. Roll back redeploys a deployment that succeeded (its image and settings) without a build.
      </p>
      {operationId && (
        <OperationStatus
          operationId={operationId}
          onSettled={() => {
            void first.reload();
            void stage.reload();
          }}
        />
      )}
      {first.error !== undefined && <LoadError error={first.error} retry={first.reload} />}
      {!first.data && first.loading && <Loading what="the deployments" />}
      {first.data && deployments.length === 0 && <p class="muted">No deployments yet.</p>}
      {deployments.length > 0 && stage.data && (
        <div class="table-wrap">
          <table class="stacked" aria-label="Deployments, newest first">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">What</th>
                <th scope="col">Image and commit</th>
                <th scope="col">Settings</th>
                <th scope="col">Rollback</th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((deployment) => (
                <DeploymentRow
                  key={deployment.deploymentId}
                  deployment={deployment}
                  stack={stage.data!.stack}
                  stage={stage.data!.stage}
                  onStarted={(id) => {
                    setOperationId(id);
                    void first.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {token && (
        <button type="button" class="secondary" onClick={() => void olderPage()}>
          Older deployments
        </button>
      )}
    </>
  );
}

/** What made the deployment, in a few words. */
function cause(deployment: Deployment, stackId: string) {
  if (deployment.rollbackOf)
    return (
      <>
        Rollback to <code class="small">{deployment.rollbackOf}</code>
      </>
    );
  if (deployment.runId)
    return (
      <>
        Pipeline run <a href={`/stacks/${stackId}/runs`}>{deployment.runId.slice(0, 12)}…</a>
      </>
    );
  const label: Record<string, string> = {
    CREATE_STAGE: 'Stage created',
    UPDATE_STAGE: 'Settings change',
  };
  return label[deployment.operationType] ?? 'Database change';
}

function DeploymentRow(props: {
  deployment: Deployment;
  stack: Stack;
  stage: Stage;
  onStarted: (operationId: string) => void;
}) {
  const { deployment, stack, stage } = props;
  const current = stage.deploymentId === deployment.deploymentId;
  const failed = deployment.status === 'FAILED' || deployment.status === 'ROLLED_BACK';
  return (
    <tr data-deployment={deployment.deploymentId} class={failed ? 'row-fail' : ''}>
      <td data-label="Started">
        <Time iso={deployment.startedAt} />
      </td>
      <td data-label="Status">
        <StatusBadge status={deployment.status} />
        {current && <span class="small"> running now</span>}
        {deployment.reason && <p class="operation-error small">{deployment.reason}</p>}
      </td>
      <td data-label="What">
        {cause(deployment, stack.stackId)}
        <br />
        <a class="muted small" href={`/operations/${deployment.operationId}`}>
          {deployment.operationId}
        </a>
      </td>
      <td data-label="Image and commit">
        <span class="mono small" title={deployment.imageUri}>
          {imageTag(deployment.imageUri)}
        </span>
        {deployment.commit && (
          <>
            <br />
            <a
              href={`https://github.com/${stack.repository}/commit/${deployment.commit}`}
              target="_blank"
              rel="noreferrer"
            >
              <code>{deployment.commit.slice(0, 7)}</code>
            </a>
          </>
        )}
      </td>
      <td data-label="Settings" class="small">
        port {deployment.settings.port ?? '—'}
        {deployment.settings.loadBalancer ? ', load balancer' : ''}
        <br />
        {deployment.settings.environmentNames.length === 0
          ? 'no variables'
          : deployment.settings.environmentNames.join(', ')}
      </td>
      <td data-label="Rollback">
        {deployment.status === 'SUCCEEDED' && (
          <RollbackButton deployment={deployment} stage={stage} onStarted={props.onStarted} />
        )}
      </td>
    </tr>
  );
}

/** `…/shop:0123456789abcdef…` → `shop:0123456`: the repository's last part and a short tag. */
function imageTag(imageUri: string): string {
  const name = imageUri.slice(imageUri.lastIndexOf('/') + 1);
  const [repository, tag] = name.split(':');
  return tag && /^[0-9a-f]{40}$/.test(tag) ? `${repository}:${tag.slice(0, 7)}` : name;
}

/** Roll back, after a confirmation that says what will be deployed; a busy stage's 409 names its operation. */
function RollbackButton(props: { deployment: Deployment; stage: Stage; onStarted: (id: string) => void }) {
  const { api } = useApp();
  const { deployment, stage } = props;
  const [open, setOpen] = useState(false);
  const form = useForm(['deploymentId']);
  return (
    <>
      <button type="button" class="secondary small" onClick={() => setOpen(true)}>
        Roll back
      </button>
      {open && (
        <Dialog title={`Roll back ${stage.name}?`} onClose={() => setOpen(false)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void form.run(async () => {
                const { operation } = await ok(
                  api.POST('/v1/stacks/{stackId}/stages/{stageName}/rollback', {
                    params: { path: { stackId: stage.stackId, stageName: stage.name } },
                    body: { deploymentId: deployment.deploymentId },
                  }),
                );
                setOpen(false);
                props.onStarted(operation.operationId);
              });
            }}
          >
            <p>
              Deploys <code>{imageTag(deployment.imageUri)}</code> again to {stage.name}, with the settings of{' '}
              <code>{deployment.deploymentId}</code> (port {deployment.settings.port ?? '—'}; variables:{' '}
              {deployment.settings.environmentNames.join(', ') || 'none'}), without a build. Approval settings
              stay as they are.
            </p>
            <FormActions
              form={form}
              submit="Roll back"
              busy="Rolling back…"
              onCancel={() => setOpen(false)}
            />
          </form>
        </Dialog>
      )}
    </>
  );
}
