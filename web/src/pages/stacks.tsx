import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { CreatedStack, CreateStackBody, Stack } from '../api/types';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { Field, FieldErrorOf, useForm, FormActions } from '../components/form';
import { PageTitle } from '../components/layout';
import { StatusBadge } from '../components/status';
import { CopyField, Dialog, LoadError, Loading, Time } from '../components/ui';
import { useLiveReload } from '../live/hooks';
import { isInProgress } from '../lib/status';

/** "Your stacks": each stack with its repository and branch, its stages in order, its last run. */
export default function StacksPage() {
  const { api } = useApp();
  const stacks = useResource(() => ok(api.GET('/v1/stacks', { params: { query: { limit: 100 } } })), []);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageTitle title="Your stacks">
        <button type="button" onClick={() => setCreating(true)}>
          Create stack
        </button>
      </PageTitle>
      {stacks.error !== undefined && <LoadError error={stacks.error} retry={stacks.reload} />}
      {!stacks.data && stacks.loading && <Loading what="your stacks" />}
      {stacks.data && stacks.data.items.length === 0 && (
        <div class="empty">
          <p>No stacks yet. A stack deploys one GitHub repository and branch through ordered stages.</p>
          <button type="button" onClick={() => setCreating(true)}>
            Create your first stack
          </button>
        </div>
      )}
      {stacks.data && stacks.data.items.length > 0 && (
        <ul class="cards" aria-label="Stacks" data-testid="stacks-list">
          {stacks.data.items.map((stack) => (
            <StackCard key={stack.stackId} stack={stack} />
          ))}
        </ul>
      )}
      {creating && (
        <CreateStackDialog
          onClose={() => {
            setCreating(false);
            void stacks.reload();
          }}
        />
      )}
    </>
  );
}

function StackCard({ stack }: { stack: Stack }) {
  const { api } = useApp();
  const path = { path: { stackId: stack.stackId } };
  const details = useResource(async () => {
    const [stages, runs] = await Promise.all([
      ok(api.GET('/v1/stacks/{stackId}/stages', { params: { ...path, query: { limit: 100 } } })),
      ok(api.GET('/v1/stacks/{stackId}/runs', { params: { ...path, query: { limit: 1 } } })),
    ]);
    return { stages: stages.items, lastRun: runs.items[0] };
  }, [stack.stackId]);
  const busy =
    details.data?.stages.some((s) => isInProgress(s.status)) ||
    (details.data?.lastRun && isInProgress(details.data.lastRun.status)) ||
    false;
  useLiveReload({ matches: (e) => e.detail.stackId === stack.stackId, busy, reload: details.reload });
  return (
    <li class="card stack-card">
      <h2>
        <a href={`/stacks/${stack.stackId}`}>{stack.name}</a>
        {stack.status !== 'ACTIVE' && (
          <>
            {' '}
            <StatusBadge status={stack.status} />
          </>
        )}
      </h2>
      <p class="muted">
        {stack.repository} · {stack.branch} · {stack.region}
      </p>
      {details.error !== undefined && <LoadError error={details.error} />}
      {details.data && (
        <>
          {details.data.stages.length === 0 ? (
            <p class="muted">No stages yet.</p>
          ) : (
            <ol class="stage-chain" aria-label={`Stages of ${stack.name}`}>
              {details.data.stages.map((stage) => (
                <li key={stage.name}>
                  <a href={`/stacks/${stack.stackId}/stages/${stage.name}`}>{stage.name}</a>{' '}
                  <StatusBadge status={stage.status} />
                </li>
              ))}
            </ol>
          )}
          <p class="last-run">
            {details.data.lastRun ? (
              <>
                Last run: <StatusBadge status={details.data.lastRun.status} />{' '}
                <code>{details.data.lastRun.commit.sha?.slice(0, 7) ?? 'branch head'}</code>{' '}
                <Time iso={details.data.lastRun.createdAt} />{' '}
                <a href={`/stacks/${stack.stackId}/runs`}>runs</a>
              </>
            ) : (
              <span class="muted">No runs yet: push to {stack.branch}, or deploy from the stack’s page.</span>
            )}
          </p>
        </>
      )}
    </li>
  );
}

const STACK_FIELDS = [
  'name',
  'repository',
  'branch',
  'region',
  'roleArn',
  'notifications',
  'notifications.emails',
  'notifications.slackWebhookUrl',
] as const;

function CreateStackDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const form = useForm(STACK_FIELDS);
  const [created, setCreated] = useState<CreatedStack>();
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const emails = text('emails')
      .split(/[\s,]+/)
      .filter(Boolean);
    const slackWebhookUrl = text('slackWebhookUrl');
    const body: CreateStackBody = {
      name: text('name'),
      repository: text('repository'),
      branch: text('branch'),
      region: text('region'),
      ...(text('roleArn') ? { roleArn: text('roleArn') } : {}),
      ...(emails.length || slackWebhookUrl
        ? {
            notifications: {
              ...(emails.length ? { emails } : {}),
              ...(slackWebhookUrl ? { slackWebhookUrl } : {}),
            },
          }
        : {}),
    };
    await form.run(async () => setCreated(await ok(api.POST('/v1/stacks', { body }))));
  };
  if (created) {
    return (
      <Dialog title={`Stack ${created.name} created`} onClose={onClose} wide>
        <p>
          Add this webhook to <strong>{created.repository}</strong> on GitHub (Settings → Webhooks: content
          type <code>application/json</code>, the push event). The secret is shown <strong>only now</strong>.
        </p>
        <CopyField label="Webhook URL" value={created.webhookUrl} />
        {created.webhookSecret && <CopyField label="Webhook secret" value={created.webhookSecret} secret />}
        <div class="actions">
          <a class="button" href={`/stacks/${created.stackId}`} onClick={onClose}>
            Open the stack
          </a>
          <button type="button" class="secondary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Create stack" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field form={form} name="name" label="Name">
          <input {...form.control('name')} required autoComplete="off" placeholder="shop" />
        </Field>
        <Field form={form} name="repository" label="GitHub repository" hint="owner/repo">
          <input {...form.control('repository')} required autoComplete="off" placeholder="acme/shop" />
        </Field>
        <div class="row">
          <Field form={form} name="branch" label="Branch">
            <input {...form.control('branch')} required defaultValue="main" />
          </Field>
          <Field form={form} name="region" label="Region">
            <input {...form.control('region')} required defaultValue="us-east-1" />
          </Field>
        </div>
        <Field
          form={form}
          name="roleArn"
          label="Role in your AWS account (optional)"
          hint="see Account → role setup"
        >
          <input
            {...form.control('roleArn')}
            autoComplete="off"
            placeholder="arn:aws:iam::123456789012:role/tinystacks"
          />
        </Field>
        <fieldset>
          <legend>Who is asked to approve (optional)</legend>
          <Field form={form} name="notifications.emails" label="Email addresses" hint="separated by commas">
            <input {...form.control('notifications.emails')} name="emails" type="text" autoComplete="off" />
          </Field>
          <Field form={form} name="notifications.slackWebhookUrl" label="Slack incoming webhook URL">
            <input
              {...form.control('notifications.slackWebhookUrl')}
              name="slackWebhookUrl"
              type="url"
              autoComplete="off"
            />
          </Field>
          <FieldErrorOf form={form} name="notifications" />
        </fieldset>
        <FormActions form={form} submit="Create stack" busy="Creating…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
