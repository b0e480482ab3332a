import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { Run, Stage } from '../api/types';
import { useApp } from '../app/context';
import {
  WEEKDAYS,
  browserTimeZone,
  describeWindow,
  timeZones,
  type DeployWindow,
} from '../lib/deploy-windows';
import { Field, FormActions, useForm, type Form } from './form';
import { Dialog, Time } from './ui';

export const newWindow = (): DeployWindow => ({
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '16:00',
  timeZone: browserTimeZone(),
});

/**
 * The deploy windows of a stage: days, start, end and time zone per window; an end before the start
 * runs past midnight. The API's errors (`deployWindows.0.timeZone`) land on the control they name.
 */
export function DeployWindowsEditor(props: {
  form: Form;
  windows: DeployWindow[];
  onChange: (windows: DeployWindow[]) => void;
}) {
  const { form, windows, onChange } = props;
  const update = (index: number, change: Partial<DeployWindow>) =>
    onChange(windows.map((w, i) => (i === index ? { ...w, ...change } : w)));
  return (
    <div class="windows-editor">
      {windows.length === 0 && (
        <p class="muted">No windows: a run deploys this stage whenever it gets there.</p>
      )}
      {windows.map((window, index) => {
        const name = (field: string) => `deployWindows.${index}.${field}`;
        const daysError = form.errorFor(name('days'));
        return (
          <fieldset class="window-row" key={index} data-window={index}>
            <legend>Window {index + 1}</legend>
            <div class={`window-days${daysError ? ' field-invalid' : ''}`} role="group" aria-label="Days">
              {WEEKDAYS.map(([day, label]) => (
                <label class="check" key={day}>
                  <input
                    type="checkbox"
                    checked={window.days.includes(day)}
                    onChange={(e) =>
                      update(index, {
                        days: e.currentTarget.checked
                          ? WEEKDAYS.map(([d]) => d).filter((d) => d === day || window.days.includes(d))
                          : window.days.filter((d) => d !== day),
                      })
                    }
                  />{' '}
                  {label}
                </label>
              ))}
              {daysError && (
                <p class="field-error" role="alert">
                  {daysError}
                </p>
              )}
            </div>
            <div class="row">
              <Field form={form} name={name('start')} label="From">
                <input
                  {...form.control(name('start'))}
                  type="time"
                  value={window.start}
                  onInput={(e) => update(index, { start: e.currentTarget.value })}
                />
              </Field>
              <Field
                form={form}
                name={name('end')}
                label="Until"
                hint={
                  window.end && window.start && window.end < window.start ? 'runs past midnight' : undefined
                }
              >
                <input
                  {...form.control(name('end'))}
                  type="time"
                  value={window.end}
                  onInput={(e) => update(index, { end: e.currentTarget.value })}
                />
              </Field>
              <Field form={form} name={name('timeZone')} label="Time zone">
                <select
                  {...form.control(name('timeZone'))}
                  value={window.timeZone}
                  onChange={(e) => update(index, { timeZone: e.currentTarget.value })}
                >
                  {timeZones(window.timeZone).map((zone) => (
                    <option key={zone} value={zone}>
                      {zone}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <button
              type="button"
              class="secondary small"
              aria-label={`Remove window ${index + 1}`}
              onClick={() => onChange(windows.filter((_, i) => i !== index))}
            >
              Remove window
            </button>
          </fieldset>
        );
      })}
      {form.errorFor('deployWindows') && !windows.some((_, i) => form.errorFor(`deployWindows.${i}`)) && (
        <p class="field-error" role="alert">
          {form.errorFor('deployWindows')}
        </p>
      )}
      <button type="button" class="secondary small" onClick={() => onChange([...windows, newWindow()])}>
        + Add window
      </button>
    </div>
  );
}

/** The form fields a windows editor answers for: the list, and each window's controls. */
export const windowFields = (windows: DeployWindow[]) => [
  'deployWindows',
  ...windows.flatMap((_, i) => ['days', 'start', 'end', 'timeZone'].map((f) => `deployWindows.${i}.${f}`)),
];

/** "Deploys Mon–Fri 09:00–16:00 (Europe/Berlin)" on a stage's column. */
export function WindowsMarker({ stage }: { stage: Stage }) {
  const windows = stage.settings.deployWindows;
  if (!windows) return null;
  return (
    <p class="window-marker" title="Outside these hours a run waits for the next window (or an override)">
      Deploys {windows.map(describeWindow).join('; ')}
    </p>
  );
}

type RunStage = Run['stages'][number];

/**
 * A run's stage waiting for its deploy window: when it goes, in the viewer's time, and Override,
 * which asks why; a stage deployed by an override says who and why.
 */
export function WindowWait({
  run,
  stage,
  onOverridden,
}: {
  run: Run;
  stage: RunStage;
  onOverridden?: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (stage.override)
    return (
      <span class="window-override small">
        deployed outside its window by {stage.override.by}: “{stage.override.reason}”
      </span>
    );
  if (stage.status !== 'WAITING_FOR_WINDOW' || !stage.opensAt) return null;
  return (
    <span class="window-wait small">
      waiting for the deploy window, goes at <Time iso={stage.opensAt} /> ({browserTimeZone()}){' '}
      <button type="button" class="secondary small" onClick={() => setAsking(true)}>
        Override
      </button>
      {asking && (
        <OverrideDialog
          run={run}
          stage={stage.name}
          onClose={() => setAsking(false)}
          onDone={() => {
            setAsking(false);
            onOverridden?.();
          }}
        />
      )}
    </span>
  );
}

function OverrideDialog(props: { run: Run; stage: string; onClose: () => void; onDone: () => void }) {
  const { api } = useApp();
  const form = useForm(['reason']);
  return (
    <Dialog title={`Deploy ${props.stage} now?`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
          void form.run(
            async () => {
              await ok(
                api.POST('/v1/runs/{runId}/stages/{stageName}/override', {
                  params: { path: { runId: props.run.runId, stageName: props.stage } },
                  body: { reason },
                }),
              );
              props.onDone();
            },
            reason ? {} : { reason: 'Say why the stage is deployed outside its windows.' },
          );
        }}
      >
        <p>
          The run deploys <code>{props.run.commit.sha?.slice(0, 7) ?? 'the head'}</code> to {props.stage} now,
          outside its deploy windows. Your name and reason are recorded on the run.
        </p>
        <Field form={form} name="reason" label="Reason">
          <textarea {...form.control('reason')} rows={2} maxLength={500} aria-required="true" />
        </Field>
        <FormActions form={form} submit="Deploy now" busy="Deploying…" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
