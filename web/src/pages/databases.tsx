import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { AddDatabaseBody, Bastion, Database, DatabaseSecret, Engine, Stage } from '../api/types';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { useStage } from '../app/use-stage';
import { Field, FormError, useForm, FormActions } from '../components/form';
import { OperationStatus } from '../components/operation';
import { StageHeader } from '../components/stage-nav';
import { StatusBadge } from '../components/status';
import { CopyButton, CopyField, Dialog, LoadError, Loading } from '../components/ui';
import { ApiError } from '../lib/errors';
import { isInProgress } from '../lib/status';
import { useLiveReload } from '../live/hooks';

const ENGINE_NAMES: Record<Engine, string> = { postgres: 'Postgres', mysql: 'MySQL', redis: 'Redis' };
const ENV_PREFIX: Record<Engine, string> = { postgres: 'PG_', mysql: 'MYSQL_', redis: 'REDIS_' };

/** The stage's databases (one per engine) and its Bastion connection information. */
export default function DatabasesPage({ stackId, stage: stageName }: { stackId: string; stage: string }) {
  const { api } = useApp();
  const stage = useStage(stackId, stageName);
  const path = { path: { stackId, stageName } };
  const parts = useResource(async () => {
    const [databases, bastion] = await Promise.all([
      ok(
        api.GET('/v1/stacks/{stackId}/stages/{stageName}/databases', {
          params: { ...path, query: { limit: 100 } },
        }),
      ),
      ok(api.GET('/v1/stacks/{stackId}/stages/{stageName}/bastion', { params: path })).catch(
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return undefined;
          throw error;
        },
      ),
    ]);
    return { databases: databases.items, bastion };
  }, [stackId, stageName]);
  useLiveReload({
    matches: (e) => e.detail.stackId === stackId && e.detail.stageName === stageName,
    busy:
      parts.data?.databases.some((d) => isInProgress(d.status)) ||
      (parts.data?.bastion ? isInProgress(parts.data.bastion.status) : false),
    reload: parts.reload,
  });
  const [operationId, setOperationId] = useState<string>();
  const [adding, setAdding] = useState(false);
  const started = (id: string) => {
    setOperationId(id);
    setAdding(false);
    void parts.reload();
    void stage.reload();
  };
  if (!stage.data || !parts.data) {
    const error = stage.error ?? parts.error;
    return error !== undefined ? (
      <LoadError error={error} retry={parts.reload} />
    ) : (
      <Loading what="the databases" />
    );
  }
  const { databases, bastion } = parts.data;
  const missing = (['postgres', 'mysql', 'redis'] as Engine[]).filter(
    (e) => !databases.some((d) => d.engine === e),
  );
  return (
    <>
      <StageHeader stackId={stackId} stage={stageName} title="Databases" data={stage.data} />
      {operationId && (
        <OperationStatus
          operationId={operationId}
          onSettled={() => {
            void parts.reload();
            void stage.reload();
          }}
        />
      )}
      <div class="page-actions">
        <button type="button" onClick={() => setAdding(true)} disabled={missing.length === 0}>
          + Add database
        </button>
      </div>
      {databases.length === 0 && (
        <p class="empty">No database yet. A stage can have one Postgres, one MySQL and one Redis.</p>
      )}
      <ul class="cards" aria-label="Databases">
        {databases.map((db) => (
          <DatabaseCard key={db.engine} db={db} stage={stage.data!.stage} onStarted={started} />
        ))}
      </ul>
      <BastionSection
        stage={stage.data.stage}
        bastion={bastion}
        hasDatabases={databases.length > 0}
        onStarted={started}
      />
      {adding && (
        <AddDatabaseDialog
          stage={stage.data.stage}
          engines={missing}
          onClose={() => setAdding(false)}
          onStarted={started}
        />
      )}
    </>
  );
}

type Started = (operationId: string) => void;

function DatabaseCard({ db, stage, onStarted }: { db: Database; stage: Stage; onStarted: Started }) {
  const { api } = useApp();
  const [viewing, setViewing] = useState(false);
  const actions = useForm([]);
  const path = { path: { stackId: db.stackId, stageName: db.stageName, engine: db.engine } };
  const names = stage.serviceEnvironmentNames.filter((n) => n.startsWith(ENV_PREFIX[db.engine]));
  const act = (call: () => Promise<{ operation: { operationId: string } }>) =>
    void actions.run(async () => onStarted((await call()).operation.operationId));
  return (
    <li class="card" data-engine={db.engine}>
      <header class="card-head">
        <h2>{ENGINE_NAMES[db.engine]}</h2>
        <StatusBadge status={db.status} />
        <span class="muted">
          {db.mode === 'replica' ? `read replica of ${db.readReplicaOf?.stage}` : db.mode}
        </span>
      </header>
      <dl class="facts">
        <dt>Endpoint</dt>
        <dd class="mono wrap">{db.endpoint ?? '—'}</dd>
        <dt>Port</dt>
        <dd>{db.port}</dd>
        <dt>Database</dt>
        <dd>{db.databaseName}</dd>
        {db.instanceClass && (
          <>
            <dt>Instance type</dt>
            <dd>{db.instanceClass}</dd>
          </>
        )}
        {db.storageGb !== null && (
          <>
            <dt>Storage</dt>
            <dd>{db.storageGb} GB</dd>
          </>
        )}
        <dt>Secret</dt>
        <dd class="mono wrap">{db.secretArn ?? '—'}</dd>
      </dl>
      <h3>Variables your service receives</h3>
      <ul class="names" data-testid={`${db.engine}-names`}>
        {names.map((name) => (
          <li key={name}>
            <code>{name}</code>
          </li>
        ))}
      </ul>
      {db.lastError && db.status === 'FAILED' && <p class="operation-error">{db.lastError}</p>}
      <FormError error={actions.unplaced} />
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => setViewing(true)}
          disabled={db.status !== 'AVAILABLE'}
        >
          View Secret
        </button>
        {db.mode !== 'existing' && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            onClick={() =>
              act(() =>
                ok(
                  db.mode === 'managed'
                    ? api.POST('/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/password', {
                        params: path,
                        body: {},
                      })
                    : api.POST('/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/promote', {
                        params: path,
                        body: {},
                      }),
                ),
              )
            }
          >
            {db.mode === 'managed' ? 'Change Password' : 'Promote to primary'}
          </button>
        )}
        <button
          type="button"
          class="danger"
          disabled={actions.busy}
          onClick={() => {
            if (
              confirm(
                `Delete the ${ENGINE_NAMES[db.engine]} database of ${db.stageName}? RDS keeps a final snapshot.`,
              )
            )
              act(() =>
                ok(
                  api.DELETE('/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}', { params: path }),
                ),
              );
          }}
        >
          Delete
        </button>
      </div>
      {db.mode === 'managed' && <ResizeForm db={db} onStarted={onStarted} />}
      {viewing && <SecretDialog db={db} onClose={() => setViewing(false)} />}
    </li>
  );
}

function ResizeForm({ db, onStarted }: { db: Database; onStarted: Started }) {
  const { api } = useApp();
  const form = useForm(['instanceClass', 'storageGb']);
  return (
    <details class="resize">
      <summary>Change instance type and storage</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const instanceClass = String(data.get('instanceClass') ?? '').trim();
          const storage = String(data.get('storageGb') ?? '').trim();
          void form.run(async () => {
            const { operation } = await ok(
              api.PATCH('/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}', {
                params: { path: { stackId: db.stackId, stageName: db.stageName, engine: db.engine } },
                body: {
                  ...(instanceClass && instanceClass !== db.instanceClass ? { instanceClass } : {}),
                  ...(storage && Number(storage) !== db.storageGb ? { storageGb: Number(storage) } : {}),
                },
              }),
            );
            onStarted(operation.operationId);
          });
        }}
      >
        <div class="row">
          <Field form={form} name="instanceClass" label="Instance type">
            <input {...form.control('instanceClass')} defaultValue={db.instanceClass ?? ''} />
          </Field>
          {db.engine !== 'redis' && (
            <Field form={form} name="storageGb" label="Storage (GB)" hint="storage only grows">
              <input {...form.control('storageGb')} type="number" defaultValue={String(db.storageGb ?? 20)} />
            </Field>
          )}
        </div>
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save and rebuild
        </button>
      </form>
    </details>
  );
}

/**
 * View Secret: read when the dialog opens (audited by the API), never cached (`no-store`), and
 * dropped with the dialog's state when it closes.
 */
function SecretDialog({ db, onClose }: { db: Database; onClose: () => void }) {
  const { api } = useApp();
  const secret = useResource<DatabaseSecret>(
    () =>
      ok(
        api.GET('/v1/stacks/{stackId}/stages/{stageName}/databases/{engine}/secret', {
          params: { path: { stackId: db.stackId, stageName: db.stageName, engine: db.engine } },
          cache: 'no-store',
        }),
      ),
    [],
  );
  return (
    <Dialog title={`${ENGINE_NAMES[db.engine]} credentials`} onClose={onClose}>
      {secret.error !== undefined && <LoadError error={secret.error} />}
      {!secret.data && !secret.error && <Loading what="the secret" />}
      {secret.data && (
        <div class="secret" data-testid="secret">
          {secret.data.username && <CopyField label="Username" value={secret.data.username} />}
          <CopyField label="Password" value={secret.data.password} secret />
          <CopyField label="Host" value={secret.data.host ?? ''} />
          <p>
            Port <code>{secret.data.port}</code> · database <code>{secret.data.database}</code>
          </p>
          <p class="muted">
            This reading was recorded (a Credentials Accessed event). Close the dialog to forget it.
          </p>
        </div>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={onClose}>
          Close and forget it
        </button>
      </div>
    </Dialog>
  );
}

function AddDatabaseDialog(props: {
  stage: Stage;
  engines: Engine[];
  onClose: () => void;
  onStarted: Started;
}) {
  const { api } = useApp();
  const form = useForm([
    'engine',
    'instanceClass',
    'storageGb',
    'existing',
    'existing.host',
    'existing.port',
    'existing.database',
    'existing.secretArn',
  ]);
  const [engine, setEngine] = useState<Engine>(props.engines[0]!);
  const [existing, setExisting] = useState(false);
  return (
    <Dialog title="Add a database" onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const text = (name: string) => String(data.get(name) ?? '').trim();
          const body: AddDatabaseBody = existing
            ? {
                engine,
                existing: {
                  host: text('host'),
                  port: Number(text('port')),
                  database: text('database'),
                  secretArn: text('secretArn'),
                },
              }
            : {
                engine,
                ...(text('instanceClass') ? { instanceClass: text('instanceClass') } : {}),
                ...(text('storageGb') ? { storageGb: Number(text('storageGb')) } : {}),
              };
          void form.run(async () => {
            const { operation } = await ok(
              api.POST('/v1/stacks/{stackId}/stages/{stageName}/databases', {
                params: { path: { stackId: props.stage.stackId, stageName: props.stage.name } },
                body,
              }),
            );
            props.onStarted(operation.operationId);
          });
        }}
      >
        <fieldset>
          <legend>Type</legend>
          {props.engines.map((value) => (
            <label class="check" key={value}>
              <input
                type="radio"
                name="engine"
                value={value}
                checked={engine === value}
                onChange={() => setEngine(value)}
              />{' '}
              {ENGINE_NAMES[value]}
            </label>
          ))}
          <label class="check">
            <input
              type="checkbox"
              checked={existing}
              onChange={(e) => setExisting(e.currentTarget.checked)}
            />{' '}
            An existing database in my account
          </label>
        </fieldset>
        {existing ? (
          <>
            <Field form={form} name="existing.host" label="Host">
              <input {...form.control('existing.host')} name="host" required />
            </Field>
            <div class="row">
              <Field form={form} name="existing.port" label="Port">
                <input {...form.control('existing.port')} name="port" type="number" required />
              </Field>
              <Field form={form} name="existing.database" label="Database name">
                <input {...form.control('existing.database')} name="database" required />
              </Field>
            </div>
            <Field
              form={form}
              name="existing.secretArn"
              label="Secrets Manager secret ARN"
              hint="JSON with a password key, as RDS writes it"
            >
              <input {...form.control('existing.secretArn')} name="secretArn" required />
            </Field>
          </>
        ) : (
          <div class="row">
            <Field
              form={form}
              name="instanceClass"
              label="Instance type (optional)"
              hint={engine === 'redis' ? 'cache.t4g.micro' : 'db.t4g.micro'}
            >
              <input {...form.control('instanceClass')} />
            </Field>
            {engine !== 'redis' && (
              <Field form={form} name="storageGb" label="Storage GB (optional)" hint="20 by default">
                <input {...form.control('storageGb')} type="number" />
              </Field>
            )}
          </div>
        )}
        <p class="muted">Saving rebuilds the stage: it may be unreachable until the rebuild ends.</p>
        <FormActions form={form} submit="Add database" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

/** Bastion connection information: create it, download its key, the ssh tunnel command per database. */
function BastionSection(props: {
  stage: Stage;
  bastion: Bastion | undefined;
  hasDatabases: boolean;
  onStarted: Started;
}) {
  const { api, session } = useApp();
  const form = useForm(['allowedCidrs']);
  const download = useForm([]);
  const path = { path: { stackId: props.stage.stackId, stageName: props.stage.name } };
  const { bastion } = props;
  // The name the API's content-disposition gives the key.
  const keyFile = `${props.stage.name}-bastion.pem`;
  return (
    <section class="card" aria-labelledby="bastion-title">
      <h2 id="bastion-title">Bastion connection information</h2>
      {!bastion ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const cidrs = String(new FormData(e.currentTarget).get('allowedCidrs') ?? '')
              .split(/[\s,]+/)
              .filter(Boolean);
            void form.run(async () => {
              const { operation } = await ok(
                api.POST('/v1/stacks/{stackId}/stages/{stageName}/bastion', {
                  params: path,
                  body: { allowedCidrs: cidrs },
                }),
              );
              props.onStarted(operation.operationId);
            });
          }}
        >
          <p class="muted">
            A bastion host opens SSH tunnels to this stage’s databases, from the addresses you list only.
          </p>
          <Field
            form={form}
            name="allowedCidrs"
            label="SSH allowed from"
            hint="a.b.c.d/32; several separated by commas"
          >
            <input
              {...form.control('allowedCidrs')}
              defaultValue={session.address ? `${session.address}/32` : ''}
              placeholder="203.0.113.7/32"
            />
          </Field>
          <FormError error={form.unplaced} />
          <button
            type="submit"
            disabled={form.busy || !props.hasDatabases}
            title={props.hasDatabases ? undefined : 'Add a database first'}
          >
            Create bastion
          </button>
        </form>
      ) : (
        <>
          <p>
            <StatusBadge status={bastion.status} /> host <code>{bastion.host ?? '—'}</code> · user{' '}
            <code>{bastion.user}</code> · SSH from {bastion.allowedCidrs.join(', ')}
          </p>
          <div class="actions">
            <button
              type="button"
              disabled={bastion.status !== 'AVAILABLE' || download.busy}
              onClick={() =>
                void download.run(async () => {
                  const key = await ok(
                    api.GET('/v1/stacks/{stackId}/stages/{stageName}/bastion/private-key', {
                      params: path,
                      parseAs: 'blob',
                      cache: 'no-store',
                    }),
                  );
                  saveFile(key as Blob, keyFile);
                })
              }
            >
              Download private key
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                if (confirm('Delete the bastion host and its key pair?'))
                  void form.run(async () => {
                    const { operation } = await ok(
                      api.DELETE('/v1/stacks/{stackId}/stages/{stageName}/bastion', { params: path }),
                    );
                    props.onStarted(operation.operationId);
                  });
              }}
            >
              Delete bastion
            </button>
          </div>
          <FormError error={download.unplaced ?? form.unplaced} />
          <p class="muted">
            Keep the key private (<code>chmod 600 {keyFile}</code>). Each command opens a tunnel in the
            background; then connect your client to <code>localhost</code> on the local port.
          </p>
          <ul class="tunnels" aria-label="SSH tunnel commands">
            {bastion.tunnels.map((t) => (
              <li key={t.engine}>
                <span>{ENGINE_NAMES[t.engine as Engine] ?? t.engine}</span>
                <code class="command">{t.command}</code>
                <CopyButton value={t.command} label={`Copy the ${t.engine} command`} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
