import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { ApiError, errorText, fieldFor } from '../lib/errors';
import { BusyNotice } from './operation';

export interface Form {
  busy: boolean;
  /** The error of the last submit, when it names no control of this form (shown above the buttons). */
  unplaced: unknown;
  /** The message for one control: the API's, when its `field` names this control, or the page's own check. */
  errorFor(name: string): string | undefined;
  /** id, name and ARIA wiring of a control, so its label and its error are announced with it. */
  control(name: string): {
    id: string;
    name: string;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  };
  /** Runs a submit: local checks first (`{field: message}`), then the action; errors land on their control. */
  run(action: () => Promise<void>, localErrors?: Record<string, string>): Promise<boolean>;
  reset(): void;
}

export function useForm(fields: readonly string[]): Form {
  const prefix = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [local, setLocal] = useState<Record<string, string>>({});
  const apiField = error instanceof ApiError ? fieldFor(error.field, fields) : undefined;
  // A control answers for its own name, and for fields below it that no longer control claims.
  const errorFor = (name: string) => {
    const key = Object.keys(local).find((k) => k === name || fieldFor(k, fields) === name);
    if (key) return local[key];
    if (error instanceof ApiError && (error.field === name || apiField === name)) return error.message;
    return undefined;
  };
  const idOf = (name: string) => `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return {
    busy,
    unplaced: error !== undefined && !apiField ? error : undefined,
    errorFor,
    control(name) {
      const invalid = errorFor(name) !== undefined;
      return {
        id: idOf(name),
        name,
        'aria-invalid': invalid,
        ...(invalid ? { 'aria-describedby': `${idOf(name)}-error` } : {}),
      };
    },
    async run(action, localErrors = {}) {
      setLocal(localErrors);
      setError(undefined);
      if (Object.keys(localErrors).length > 0) return false;
      setBusy(true);
      try {
        await action();
        return true;
      } catch (caught) {
        setError(caught);
        return false;
      } finally {
        setBusy(false);
      }
    },
    reset() {
      setLocal({});
      setError(undefined);
    },
  };
}

/** A labelled control with its hint and, when there is one, the error that names it. */
export function Field(props: {
  form: Form;
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  children: ComponentChildren;
  inline?: boolean;
}) {
  const { id } = props.form.control(props.name);
  const message = props.form.errorFor(props.name);
  return (
    <div class={`field${props.inline ? ' field-inline' : ''}${message ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children}
      {props.hint && <p class="hint">{props.hint}</p>}
      {message && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

/** An error that names no control: a busy stage (with its running operation, live), or a message. */
export function FormError({ error }: { error: unknown }) {
  if (error === undefined) return null;
  if (error instanceof ApiError && error.status === 409 && error.operationId)
    return <BusyNotice message={error.message} operationId={error.operationId} />;
  return (
    <p class="notice notice-fail" role="alert">
      {errorText(error)}
    </p>
  );
}

/** The error of a group that has no single control (`notifications` as a whole, `environment` when empty). */
export function FieldErrorOf({ form, name }: { form: Form; name: string }) {
  const message = form.errorFor(name);
  return message ? (
    <p class="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

/** The end of a form: its error that names no control, the submit button, and Cancel where there is one. */
export function FormActions(props: { form: Form; submit: string; busy?: string; onCancel?: () => void }) {
  return (
    <>
      <FormError error={props.form.unplaced} />
      <div class="actions">
        <button type="submit" disabled={props.form.busy}>
          {props.form.busy && props.busy ? props.busy : props.submit}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </>
  );
}
