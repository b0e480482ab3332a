import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ok } from '../api/client';
import type { Stage, UpdateStageBody } from '../api/types';
import { useApp } from '../app/context';
import { useStage } from '../app/use-stage';
import { Field, FormError, useForm } from '../components/form';
import { OperationStatus } from '../components/operation';
import { StageHeader } from '../components/stage-nav';
import { EnvironmentEditor, OriginsEditor } from '../components/stage-editors';
import { DeployWindowsEditor, windowFields } from '../components/deploy-windows';
import { APPROVAL_FIELDS, ApprovalPolicyFields, approvalFromForm } from '../components/approval-policy';
import { LoadError, Loading } from '../components/ui';
import { stageShortcutLinks } from '../lib/console-links';
import { environmentToRows, rowsToEnvironment, type EnvRow } from '../lib/environment';
import type { DeployWindow } from '../lib/deploy-windows';

/** Stage settings: Environment Variables, Origins, Ports and options, Approval policy, Stage Shortcut Links, delete. */
export default function StageSettingsPage({ stackId, stage: stageName }: { stackId: string; stage: string }) {
  const data = useStage(stackId, stageName);
  const [operationId, setOperationId] = useState<string>();
  if (!data.data)
    return data.error !== undefined ? (
      <LoadError error={data.error} retry={data.reload} />
    ) : (
      <Loading what="the stage" />
    );
  const { stage } = data.data;
  const started = (id: string) => {
    setOperationId(id);
    void data.reload();
  };
  return (
    <>
      <StageHeader stackId={stackId} stage={stageName} title="Settings" data={data.data} />
      {operationId && <OperationStatus operationId={operationId} onSettled={() => void data.reload()} />}
      {stage.lastError && stage.status === 'FAILED' && <p class="notice notice-fail">{stage.lastError}</p>}
      <div class="grid-2">
        <EnvironmentSection stage={stage} onStarted={started} />
        <OriginsSection stage={stage} onStarted={started} />
        <PortsSection stage={stage} onStarted={started} />
        <DeployWindowsSection stage={stage} onStarted={started} />
        <ApprovalSection stage={stage} onStarted={started} />
        <ShortcutLinks stage={stage} />
      </div>
      <DeleteStage stage={stage} />
    </>
  );
}

/** PATCH one setting; the stage is rebuilt by the operation this returns. */
function usePatch(stage: Stage, fields: readonly string[], onStarted: (operationId: string) => void) {
  const { api } = useApp();
  const form = useForm(fields);
  const patch = (body: UpdateStageBody, localErrors?: Record<string, string>) =>
    form.run(async () => {
      const { operation } = await ok(
        api.PATCH('/v1/stacks/{stackId}/stages/{stageName}', {
          params: { path: { stackId: stage.stackId, stageName: stage.name } },
          body,
        }),
      );
      onStarted(operation.operationId);
    }, localErrors);
  return { form, patch };
}

type SectionProps = { stage: Stage; onStarted: (operationId: string) => void };

function EnvironmentSection({ stage, onStarted }: SectionProps) {
  const { form, patch } = usePatch(stage, ['environment'], onStarted);
  const [rows, setRows] = useState<EnvRow[]>(() => environmentToRows(stage.settings.environment));
  useEffect(
    () => setRows(environmentToRows(stage.settings.environment)),
    [JSON.stringify(stage.settings.environment)],
  );
  const userNames = new Set(Object.keys(stage.settings.environment));
  const platformNames = stage.serviceEnvironmentNames.filter((name) => !userNames.has(name));
  return (
    <section class="card" aria-labelledby="env-title">
      <h2 id="env-title">Environment Variables</h2>
      <p class="muted">
        Set here, deployed to the stage’s containers; they override the image’s Dockerfile ENV.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const { environment, errors } = rowsToEnvironment(rows);
          void patch({ environment }, errors);
        }}
      >
        <EnvironmentEditor form={form} rows={rows} onChange={setRows} />
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save variables
        </button>
      </form>
      <h3>Set by the platform</h3>
      <p class="muted">
        Your service also receives these (read-only; a variable of yours may not use these names).
      </p>
      <ul class="names" aria-label="Variables set by the platform" data-testid="platform-names">
        {platformNames.map((name) => (
          <li key={name}>
            <code>{name}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

function OriginsSection({ stage, onStarted }: SectionProps) {
  const { form, patch } = usePatch(stage, ['origins'], onStarted);
  const [origins, setOrigins] = useState(stage.settings.origins);
  useEffect(() => setOrigins(stage.settings.origins), [stage.settings.origins.join(' ')]);
  return (
    <section class="card" aria-labelledby="origins-title">
      <h2 id="origins-title">Origins</h2>
      <p class="muted">
        Web pages on these origins may call your app from a browser (CORS). By default, only localhost.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void patch({ origins });
        }}
      >
        <OriginsEditor form={form} origins={origins} onChange={setOrigins} />
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save origins
        </button>
      </form>
    </section>
  );
}

function PortsSection({ stage, onStarted }: SectionProps) {
  const { form, patch } = usePatch(stage, ['port', 'loadBalancer'], onStarted);
  return (
    <section class="card" aria-labelledby="ports-title">
      <h2 id="ports-title">Ports and options</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          void patch({
            port: Number(data.get('port')),
            loadBalancer: data.get('loadBalancer') === 'on',
          });
        }}
      >
        <Field form={form} name="port" label="Container port">
          <input
            {...form.control('port')}
            type="number"
            min={1}
            max={65535}
            defaultValue={String(stage.settings.port)}
          />
        </Field>
        <label class="check">
          <input type="checkbox" name="loadBalancer" defaultChecked={stage.settings.loadBalancer} /> Load
          balancer
        </label>
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save
        </button>
      </form>
    </section>
  );
}

/** Deploy windows: saved whole; "No windows" (null) lets a run deploy at any time. */
function DeployWindowsSection({ stage, onStarted }: SectionProps) {
  const saved = stage.settings.deployWindows ?? [];
  const [windows, setWindows] = useState<DeployWindow[]>(saved);
  useEffect(() => setWindows(saved), [JSON.stringify(saved)]);
  const { form, patch } = usePatch(stage, windowFields(windows), onStarted);
  return (
    <section class="card" aria-labelledby="windows-title">
      <h2 id="windows-title">Deploy windows</h2>
      <p class="muted">
        A run reaching this stage outside every window waits until the next one opens, unless someone
        overrides it on the run.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void patch({ deployWindows: windows.length > 0 ? windows : null });
        }}
      >
        <DeployWindowsEditor form={form} windows={windows} onChange={setWindows} />
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save windows
        </button>
      </form>
    </section>
  );
}

/** The approval policy: replaced whole by a PATCH (null: no approval); the stage is rebuilt, like any change. */
function ApprovalSection({ stage, onStarted }: SectionProps) {
  const { form, patch } = usePatch(stage, APPROVAL_FIELDS, onStarted);
  return (
    <section class="card" aria-labelledby="approval-title">
      <h2 id="approval-title">Approval policy</h2>
      <p class="muted">
        A run waits here until enough distinct people approve; one reject stops it. The change’s author is
        whoever wrote or pushed the commit.
      </p>
      <form
        key={JSON.stringify(stage.settings.approval)}
        onSubmit={(e) => {
          e.preventDefault();
          void patch(approvalFromForm(new FormData(e.currentTarget)));
        }}
      >
        <ApprovalPolicyFields form={form} policy={stage.settings.approval} />
        <FormError error={form.unplaced} />
        <button type="submit" disabled={form.busy}>
          Save approval policy
        </button>
      </form>
    </section>
  );
}

function ShortcutLinks({ stage }: { stage: Stage }) {
  const base = `/stacks/${stage.stackId}/stages/${stage.name}`;
  return (
    <section class="card" aria-labelledby="links-title">
      <h2 id="links-title">Stage Shortcut Links</h2>
      <ul class="link-list">
        <li>
          <a href={`${base}/logs`}>Logs</a> · <a href={`${base}/events`}>Stack events (troubleshooting)</a>
        </li>
        {stageShortcutLinks(stage).map((link) => (
          <li key={link.href}>
            <a href={link.href} target="_blank" rel="noreferrer">
              {link.label}
            </a>
          </li>
        ))}
      </ul>
      <p class="muted">AWS console links open in {stage.region}, in the account the stack deploys to.</p>
    </section>
  );
}

function DeleteStage({ stage }: { stage: Stage }) {
  const { api } = useApp();
  const { route } = useLocation();
  const form = useForm([]);
  return (
    <section class="danger-zone" aria-labelledby="delete-stage">
      <h2 id="delete-stage">Delete the stage</h2>
      <p class="muted">Its CloudFormation stack is deleted. Delete its databases and bastion first.</p>
      <FormError error={form.unplaced} />
      <button
        type="button"
        class="danger"
        disabled={form.busy}
        onClick={() => {
          if (!confirm(`Delete the stage ${stage.name}?`)) return;
          void form.run(async () => {
            await ok(
              api.DELETE('/v1/stacks/{stackId}/stages/{stageName}', {
                params: { path: { stackId: stage.stackId, stageName: stage.name } },
              }),
            );
            route(`/stacks/${stage.stackId}`);
          });
        }}
      >
        Delete stage
      </button>
    </section>
  );
}
