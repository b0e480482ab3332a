import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ok } from '../api/client';
import type { CreateStageBody, Operation, Stack, Stage } from '../api/types';
import { pendingApprovalsOf } from '../app/approvals';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { Field, FieldErrorOf, FormError, useForm, FormActions } from '../components/form';
import { Breadcrumbs, PageTitle } from '../components/layout';
import { OperationStatus } from '../components/operation';
import { EnvironmentEditor, OriginsEditor } from '../components/stage-editors';
import { StatusBadge } from '../components/status';
import { Dialog, LoadError, Loading, Time } from '../components/ui';
import { rowsToEnvironment, type EnvRow } from '../lib/environment';
import { isInProgress } from '../lib/status';
import { useLiveReload } from '../live/hooks';
import { DeployButton } from '../components/runs';
import { DeployWindowsEditor, WindowsMarker, windowFields } from '../components/deploy-windows';
import type { DeployWindow } from '../lib/deploy-windows';
import {
  APPROVAL_FIELDS,
  ApprovalPolicyFields,
  approvalFromForm,
  approvalSummary,
} from '../components/approval-policy';

/** A stack: its stages as ordered columns, the order a push moves through them. */
export default function StackPage({ stackId }: { stackId: string }) {
  const { api } = useApp();
  const { route } = useLocation();
  const path = { path: { stackId } };
  const data = useResource(async () => {
    const [stack, stages, approvals] = await Promise.all([
      ok(api.GET('/v1/stacks/{stackId}', { params: path })),
      ok(api.GET('/v1/stacks/{stackId}/stages', { params: { ...path, query: { limit: 100 } } })),
      pendingApprovalsOf(api, stackId),
    ]);
    return { stack, stages: stages.items, approvals };
  }, [stackId]);
  const [adding, setAdding] = useState(false);
  const [started, setStarted] = useState<string[]>([]);
  const [deleteError, setDeleteError] = useState<unknown>();
  /** The operation deleting the stack, followed live once the button started it. */
  const [deletion, setDeletion] = useState<string>();
  const deletionSettled = (operation: Operation) => {
    if (operation.status === 'SUCCEEDED') route('/');
    else {
      setDeletion(undefined);
      void data.reload();
    }
  };
  useLiveReload({
    matches: (e) => e.detail.stackId === stackId,
    busy:
      (data.data?.stages.some((s) => isInProgress(s.status)) || data.data?.stack.status === 'DELETING') ??
      false,
    reload: data.reload,
  });
  // Once the deletion runs, the stack may be gone at the next reload: the page follows the operation.
  if (deletion)
    return (
      <>
        <Breadcrumbs
          items={[{ href: '/', label: 'Your stacks' }, { label: data.data?.stack.name ?? stackId }]}
        />
        <PageTitle title="Deleting the stack" />
        <p class="muted">Its build pipeline’s CloudFormation stack is deleted first, then the stack.</p>
        <OperationStatus operationId={deletion} onSettled={deletionSettled} />
      </>
    );
  if (!data.data)
    return data.error !== undefined ? (
      <LoadError error={data.error} retry={data.reload} />
    ) : (
      <Loading what="the stack" />
    );
  const { stack, stages, approvals } = data.data;
  const deleteStack = async () => {
    if (!confirm(`Delete the stack ${stack.name}? Its stages must be deleted first.`)) return;
    setDeleteError(undefined);
    try {
      const { operation } = await ok(api.DELETE('/v1/stacks/{stackId}', { params: path }));
      setDeletion(operation.operationId);
    } catch (error) {
      setDeleteError(error);
    }
  };
  return (
    <>
      <Breadcrumbs items={[{ href: '/', label: 'Your stacks' }, { label: stack.name }]} />
      <PageTitle title={stack.name}>
        <button type="button" onClick={() => setAdding(true)}>
          Add Stage
        </button>
        <DeployButton stack={stack} />
        <a class="button secondary" href={`/stacks/${stackId}/runs`}>
          Runs
        </a>
      </PageTitle>
      <p class="muted">
        <a
          href={`https://github.com/${stack.repository}/tree/${stack.branch}`}
          rel="noreferrer"
          target="_blank"
        >
          {stack.repository}
        </a>{' '}
        · branch <code>{stack.branch}</code> · {stack.region} · build pipeline{' '}
        {stack.pipeline ? <StatusBadge status={stack.pipeline.status} /> : <span class="muted">none</span>}
      </p>
      {stack.pipeline?.error && <p class="notice notice-fail">{stack.pipeline.error}</p>}
      {stack.status === 'DELETE_FAILED' && (
        <p class="notice notice-fail">
          The stack could not be deleted: {stack.lastError}. Delete it again to retry.
        </p>
      )}
      {approvals.length > 0 && (
        <p class="notice notice-busy">
          {approvals.length === 1 ? 'A deployment waits' : `${approvals.length} deployments wait`} for
          approval: <a href={`/stacks/${stackId}/runs`}>review</a>
        </p>
      )}
      {started.map((id) => (
        <OperationStatus key={id} operationId={id} onSettled={() => void data.reload()} />
      ))}
      {stages.length === 0 ? (
        <div class="empty">
          <p>
            No stages yet. A push to {stack.branch} moves through the stages in the order they were added.
          </p>
          <button type="button" onClick={() => setAdding(true)}>
            Add the first stage
          </button>
        </div>
      ) : (
        <ol class="stage-columns" aria-label="Stages, in the order a push moves through them">
          {stages.map((stage, index) => (
            <StageColumn key={stage.name} stage={stage} position={index + 1} />
          ))}
        </ol>
      )}
      <section class="danger-zone" aria-labelledby="danger">
        <h2 id="danger">Delete the stack</h2>
        <p class="muted">
          A stack goes once its stages are deleted: its build pipeline’s CloudFormation stack is deleted (its
          artifact bucket is kept and empties itself within 30 days), then its webhook.
        </p>
        <FormError error={deleteError} />
        {stack.currentOperationId && (
          <OperationStatus operationId={stack.currentOperationId} onSettled={deletionSettled} />
        )}
        <button type="button" class="danger" onClick={deleteStack} disabled={stack.status === 'DELETING'}>
          {stack.status === 'DELETE_FAILED' ? 'Delete stack again' : 'Delete stack'}
        </button>
      </section>
      {adding && (
        <AddStageDialog
          stack={stack}
          stages={stages}
          onClose={() => setAdding(false)}
          onStarted={(operationId) => {
            setAdding(false);
            setStarted((ids) => [operationId, ...ids]);
            void data.reload();
          }}
        />
      )}
    </>
  );
}

function StageColumn({ stage, position }: { stage: Stage; position: number }) {
  const base = `/stacks/${stage.stackId}/stages/${stage.name}`;
  return (
    <li class="stage-column card" data-stage={stage.name}>
      <header>
        <span class="stage-position" aria-hidden="true">
          {position}
        </span>
        <h2>
          <a href={base}>{stage.name}</a>
        </h2>
        <StatusBadge status={stage.status} />
      </header>
      {stage.settings.approval && (
        <p class="approval-marker" title="A push waits for approval before this stage is deployed">
          {approvalSummary(stage.settings.approval)}
        </p>
      )}
      <WindowsMarker stage={stage} />
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          {stage.url ? (
            <a href={stage.url} rel="noreferrer" target="_blank">
              {stage.url}
            </a>
          ) : (
            <span class="muted">not yet</span>
          )}
        </dd>
        <dt>Image</dt>
        <dd class="mono wrap">{stage.imageUri}</dd>
        <dt>Last deployment</dt>
        <dd>
          <Time iso={stage.updatedAt} />{' '}
          <a class="muted" href={`/operations/${stage.lastOperationId}`}>
            details
          </a>
        </dd>
        <dt>Region</dt>
        <dd>{stage.region}</dd>
        <dt>Databases</dt>
        <dd>{databasesOf(stage) || <span class="muted">none</span>}</dd>
      </dl>
      {stage.currentOperationId && <OperationStatus operationId={stage.currentOperationId} />}
      {stage.lastError && stage.status === 'FAILED' && <p class="operation-error">{stage.lastError}</p>}
      <nav class="stage-links" aria-label={`${stage.name} pages`}>
        <a href={base}>Settings</a>
        <a href={`${base}/databases`}>Databases</a>
        <a href={`${base}/logs`}>Logs</a>
      </nav>
    </li>
  );
}

/** The databases a stage's service is wired to, from the variables it receives (PG_HOST → Postgres). */
function databasesOf(stage: Stage): string {
  const names = new Set(stage.serviceEnvironmentNames);
  return (
    [
      ['PG_HOST', 'Postgres'],
      ['MYSQL_HOST', 'MySQL'],
      ['REDIS_HOST', 'Redis'],
    ] as const
  )
    .filter(([variable]) => names.has(variable))
    .map(([, engine]) => engine)
    .join(', ');
}

const STAGE_FIELDS = [
  'name',
  'region',
  'port',
  ...APPROVAL_FIELDS,
  'loadBalancer',
  'environment',
  'origins',
  'database',
  'database.readReplicaOf.stage',
  'database.readReplicaOf.engine',
  'bastion',
  'bastion.allowedCidrs',
] as const;

type DatabaseChoice = 'none' | 'postgres' | 'mysql' | 'redis' | 'replica';

/** The docs' Add Stage: its options, port, environment variables and origins. */
function AddStageDialog(props: {
  stack: Stack;
  stages: Stage[];
  onClose: () => void;
  onStarted: (operationId: string) => void;
}) {
  const { api } = useApp();
  const [windows, setWindows] = useState<DeployWindow[]>([]);
  const form = useForm([...STAGE_FIELDS, ...windowFields(windows)]);
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [origins, setOrigins] = useState<string[]>(['http://localhost']);
  const [database, setDatabase] = useState<DatabaseChoice>('none');
  const [bastion, setBastion] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const { environment, errors } = rowsToEnvironment(env);
    const cidrs = text('allowedCidrs')
      .split(/[\s,]+/)
      .filter(Boolean);
    const body: CreateStageBody = {
      name: text('name'),
      region: text('region') || props.stack.region,
      port: Number(text('port') || 80),
      ...approvalFromForm(data),
      loadBalancer: data.get('loadBalancer') === 'on',
      environment,
      origins,
      ...(database === 'replica'
        ? {
            database: {
              readReplicaOf: {
                stage: text('replicaStage'),
                engine: text('replicaEngine') as 'postgres' | 'mysql',
              },
            },
          }
        : database !== 'none'
          ? { database: { engine: database } }
          : {}),
      ...(bastion && database !== 'none' ? { bastion: { allowedCidrs: cidrs } } : {}),
      ...(windows.length > 0 ? { deployWindows: windows } : {}),
    };
    await form.run(async () => {
      const { operation } = await ok(
        api.POST('/v1/stacks/{stackId}/stages', { params: { path: { stackId: props.stack.stackId } }, body }),
      );
      props.onStarted(operation.operationId);
    }, errors);
  };
  return (
    <Dialog title="Add Stage" onClose={props.onClose} wide>
      <form onSubmit={submit} noValidate>
        <div class="row">
          <Field form={form} name="name" label="Stage name" hint="lowercase letters, digits, hyphens">
            <input {...form.control('name')} required autoComplete="off" placeholder="dev" />
          </Field>
          <Field form={form} name="region" label="Region">
            <input {...form.control('region')} defaultValue={props.stack.region} />
          </Field>
          <Field form={form} name="port" label="Port" hint="the port your container listens on">
            <input {...form.control('port')} type="number" min={1} max={65535} defaultValue="80" />
          </Field>
        </div>
        <fieldset>
          <legend>Options</legend>
          <label class="check">
            <input type="checkbox" name="loadBalancer" /> Create load balancer
          </label>
          <FieldErrorOf form={form} name="loadBalancer" />
        </fieldset>
        <ApprovalPolicyFields form={form} policy={null} />
        <fieldset>
          <legend>Database</legend>
          {(
            [
              ['none', 'No database'],
              ['postgres', 'Create Postgres database for stage'],
              ['mysql', 'Create MySQL database for stage'],
              ['redis', 'Create Redis database for stage'],
              ['replica', 'Read replica of another stage’s database'],
            ] as const
          ).map(([value, label]) => (
            <label class="check" key={value}>
              <input
                type="radio"
                name="databaseChoice"
                value={value}
                checked={database === value}
                disabled={value === 'replica' && props.stages.length === 0}
                onChange={() => setDatabase(value)}
              />{' '}
              {label}
            </label>
          ))}
          {database === 'replica' && (
            <div class="row">
              <Field form={form} name="database.readReplicaOf.stage" label="Source stage">
                <select {...form.control('database.readReplicaOf.stage')} name="replicaStage">
                  {props.stages.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name} ({s.region})
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                form={form}
                name="database.readReplicaOf.engine"
                label="Engine"
                hint="Postgres and MySQL have replicas"
              >
                <select {...form.control('database.readReplicaOf.engine')} name="replicaEngine">
                  <option value="postgres">Postgres</option>
                  <option value="mysql">MySQL</option>
                </select>
              </Field>
            </div>
          )}
          <FieldErrorOf form={form} name="database" />
          {database !== 'none' && (
            <>
              <label class="check">
                <input
                  type="checkbox"
                  checked={bastion}
                  onChange={(e) => setBastion(e.currentTarget.checked)}
                />{' '}
                Create a bastion host (SSH tunnels to the database)
              </label>
              {bastion && (
                <Field
                  form={form}
                  name="bastion.allowedCidrs"
                  label="SSH allowed from"
                  hint="your address as a.b.c.d/32; several separated by commas"
                >
                  <input
                    {...form.control('bastion.allowedCidrs')}
                    name="allowedCidrs"
                    placeholder="203.0.113.7/32"
                  />
                </Field>
              )}
              <FieldErrorOf form={form} name="bastion" />
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>Environment Variables</legend>
          <EnvironmentEditor form={form} rows={env} onChange={setEnv} />
        </fieldset>
        <fieldset>
          <legend>Origins</legend>
          <OriginsEditor form={form} origins={origins} onChange={setOrigins} />
        </fieldset>
        <fieldset>
          <legend>Deploy windows</legend>
          <p class="hint">When a run may deploy this stage; outside them it waits (or someone overrides).</p>
          <DeployWindowsEditor form={form} windows={windows} onChange={setWindows} />
        </fieldset>
        <FormActions form={form} submit="Add Stage" busy="Adding…" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
