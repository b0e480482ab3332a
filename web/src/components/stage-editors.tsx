import { useState } from 'preact/hooks';
import type { EnvRow } from '../lib/environment';
import { reservedReason } from '../lib/environment';
import type { Form } from './form';

/**
 * The Environment Variables editor: name/value rows. A name the platform injects is refused here as
 * the API refuses it, and the API's own `environment.<NAME>` errors land on the row they name.
 */
export function EnvironmentEditor(props: { form: Form; rows: EnvRow[]; onChange: (rows: EnvRow[]) => void }) {
  const { form, rows, onChange } = props;
  const rowMessages: (string | undefined)[] = [];
  const update = (index: number, change: Partial<EnvRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <div class="env-editor">
      {rows.length === 0 && <p class="muted">No variables.</p>}
      {rows.map((row, index) => {
        const name = row.name.trim();
        const message =
          form.errorFor(`environment.${name || index}`) ??
          (name && reservedReason(name) ? `${name} is reserved: ${reservedReason(name)}` : undefined);
        rowMessages.push(message);
        const id = `env-${index}`;
        return (
          <div class={`env-row${message ? ' field-invalid' : ''}`} key={index}>
            <label class="visually-hidden" for={`${id}-name`}>
              Name of variable {index + 1}
            </label>
            <input
              id={`${id}-name`}
              class="mono"
              value={row.name}
              placeholder="NAME"
              autoComplete="off"
              spellcheck={false}
              aria-invalid={message !== undefined}
              aria-describedby={message ? `${id}-error` : undefined}
              onInput={(e) => update(index, { name: e.currentTarget.value })}
            />
            <label class="visually-hidden" for={`${id}-value`}>
              Value of {row.name || `variable ${index + 1}`}
            </label>
            <input
              id={`${id}-value`}
              class="mono"
              value={row.value}
              placeholder="value"
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => update(index, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              class="icon-button"
              aria-label={`Remove ${row.name || `variable ${index + 1}`}`}
              onClick={() => onChange(rows.filter((_, i) => i !== index))}
            >
              ×
            </button>
            {message && (
              <p class="field-error" id={`${id}-error`} role="alert">
                {message}
              </p>
            )}
          </div>
        );
      })}
      <GroupError message={form.errorFor('environment')} shown={rowMessages} />
      <button
        type="button"
        class="secondary small"
        onClick={() => onChange([...rows, { name: '', value: '' }])}
      >
        + Add variable
      </button>
    </div>
  );
}

/** The Origins dialog's list: origins (scheme, host, optional port) allowed to call the app (CORS). */
export function OriginsEditor(props: {
  form: Form;
  origins: string[];
  onChange: (origins: string[]) => void;
}) {
  const { form, origins, onChange } = props;
  const [draft, setDraft] = useState('');
  const add = () => {
    const value = draft.trim();
    if (value && !origins.includes(value)) onChange([...origins, value]);
    setDraft('');
  };
  return (
    <div class="origins-editor">
      <ul class="chips" aria-label="Allowed origins">
        {origins.map((origin, index) => {
          const message = form.errorFor(`origins.${index}`);
          return (
            <li key={origin} class={message ? 'field-invalid' : ''}>
              <code>{origin}</code>
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove ${origin}`}
                onClick={() => onChange(origins.filter((o) => o !== origin))}
              >
                ×
              </button>
              {message && (
                <span class="field-error" role="alert">
                  {message}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <GroupError
        message={form.errorFor('origins')}
        shown={origins.map((_, index) => form.errorFor(`origins.${index}`))}
      />
      <div class="inline-add">
        <label class="visually-hidden" for="origin-draft">
          Origin to allow
        </label>
        <input
          id="origin-draft"
          type="url"
          value={draft}
          placeholder="https://app.example.com"
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" class="secondary small" onClick={add}>
          Add origin
        </button>
      </div>
    </div>
  );
}

/** An error about the whole list, unless one of its rows already shows it. */
function GroupError({ message, shown }: { message: string | undefined; shown: (string | undefined)[] }) {
  if (!message || shown.includes(message)) return null;
  return (
    <p class="field-error" role="alert">
      {message}
    </p>
  );
}
