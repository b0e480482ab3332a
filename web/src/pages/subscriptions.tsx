import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { CreatedSubscription, Subscription } from '../api/types';
import { DETAIL_TYPES } from '../../../src/domain/events';
import { useApp } from '../app/context';
import { useResource } from '../app/resource';
import { Field, FieldErrorOf, FormError, useForm, FormActions } from '../components/form';
import { PageTitle } from '../components/layout';
import { CopyField, Dialog, LoadError, Loading, Time } from '../components/ui';

/** Webhook subscriptions: your endpoints, what they receive, and the deliveries that failed for good. */
export default function SubscriptionsPage() {
  const { api } = useApp();
  const list = useResource(() => ok(api.GET('/v1/subscriptions', { params: { query: { limit: 100 } } })), []);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageTitle title="Subscriptions">
        <button type="button" onClick={() => setCreating(true)}>
          Add subscription
        </button>
      </PageTitle>
      <p class="muted">
        TinyStacks POSTs your events to these HTTPS endpoints, signed with the subscription’s secret, retried
        with backoff; what fails every attempt is kept here 30 days.
      </p>
      {list.error !== undefined && <LoadError error={list.error} retry={list.reload} />}
      {!list.data && list.loading && <Loading what="subscriptions" />}
      {list.data?.items.length === 0 && <p class="empty">No subscriptions.</p>}
      <ul class="cards">
        {list.data?.items.map((s) => (
          <SubscriptionCard key={s.subscriptionId} subscription={s} onDeleted={() => void list.reload()} />
        ))}
      </ul>
      {creating && (
        <CreateSubscriptionDialog
          onClose={() => {
            setCreating(false);
            void list.reload();
          }}
        />
      )}
    </>
  );
}

function SubscriptionCard({
  subscription,
  onDeleted,
}: {
  subscription: Subscription;
  onDeleted: () => void;
}) {
  const { api } = useApp();
  const [open, setOpen] = useState(false);
  const actions = useForm([]);
  const path = { path: { subscriptionId: subscription.subscriptionId } };
  const letters = useResource(
    async () =>
      open
        ? (
            await ok(
              api.GET('/v1/subscriptions/{subscriptionId}/dead-letters', {
                params: { ...path, query: { limit: 50 } },
              }),
            )
          ).items
        : [],
    [open],
  );
  return (
    <li class="card">
      <h2 class="mono wrap">{subscription.url}</h2>
      <p class="muted">
        {subscription.events ? subscription.events.join(', ') : 'every event'} · since{' '}
        <Time iso={subscription.createdAt} />
      </p>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Dead letters</summary>
        {letters.error !== undefined && <LoadError error={letters.error} />}
        {open && letters.data?.length === 0 && <p class="muted">None: every delivery got through.</p>}
        <ul class="dead-letters">
          {letters.data?.map((d) => (
            <li key={d.deadLetterId}>
              <strong>{d.detailType}</strong> · {d.attempts} attempts · failed <Time iso={d.failedAt} />
              <br />
              <span class="operation-error">{d.lastError}</span>
            </li>
          ))}
        </ul>
      </details>
      <FormError error={actions.unplaced} />
      <button
        type="button"
        class="danger small"
        onClick={() => {
          if (confirm(`Delete the subscription to ${subscription.url}?`))
            void actions.run(async () => {
              await ok(api.DELETE('/v1/subscriptions/{subscriptionId}', { params: path }));
              onDeleted();
            });
        }}
      >
        Delete
      </button>
    </li>
  );
}

function CreateSubscriptionDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const form = useForm(['url', 'events']);
  const [created, setCreated] = useState<CreatedSubscription>();
  if (created)
    return (
      <Dialog title="Subscription added" onClose={onClose}>
        <p>
          Verify each delivery’s <code>X-TinyStacks-Signature</code> with this secret. It is shown{' '}
          <strong>only now</strong>.
        </p>
        <CopyField label="Signing secret" value={created.secret} secret />
        <div class="actions">
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  return (
    <Dialog title="Add subscription" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const events = data.getAll('events').map(String) as (typeof DETAIL_TYPES)[number][];
          void form.run(async () =>
            setCreated(
              await ok(
                api.POST('/v1/subscriptions', {
                  body: {
                    url: String(data.get('url') ?? '').trim(),
                    ...(events.length > 0 ? { events } : {}),
                  },
                }),
              ),
            ),
          );
        }}
      >
        <Field form={form} name="url" label="Endpoint URL" hint="https://, public addresses only">
          <input
            {...form.control('url')}
            type="url"
            required
            placeholder="https://hooks.example.com/tinystacks"
          />
        </Field>
        <fieldset>
          <legend>Events (none ticked: every event, including new kinds)</legend>
          {DETAIL_TYPES.map((type) => (
            <label class="check" key={type}>
              <input type="checkbox" name="events" value={type} /> {type}
            </label>
          ))}
          <FieldErrorOf form={form} name="events" />
        </fieldset>
        <FormActions form={form} submit="Add subscription" />
      </form>
    </Dialog>
  );
}
