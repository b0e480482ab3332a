import { CPU_CHOICES, cpuLabel, memoryChoices, memoryLabel, withCpu, type SizingDraft } from '../lib/sizing';
import { Field, FieldErrorOf, type Form } from './form';

/** The fields of Size & scaling, by the API's names, so that its errors land on them. */
export const SIZING_FIELDS = [
  'scaling',
  'scaling.cpu',
  'scaling.memory',
  'scaling.desiredCount',
  'scaling.minCount',
  'scaling.maxCount',
  'scaling.targetCpuPercent',
  'healthCheckPath',
  'rollbackAlarms',
  'rollbackAlarms.http5xxPercent',
  'rollbackAlarms.unhealthyHosts',
] as const;

/**
 * Size & scaling: CPU and memory (only Fargate's pairs can be chosen), the task count or an
 * autoscaling range with its CPU target, the health check path, and the rollback alarms, which
 * watch the load balancer and so are offered only with one.
 */
export function SizingEditor(props: {
  form: Form;
  draft: SizingDraft;
  onChange: (draft: SizingDraft) => void;
  loadBalancer: boolean;
}) {
  const { form, draft, onChange, loadBalancer } = props;
  const set = (change: Partial<SizingDraft>) => onChange({ ...draft, ...change });
  return (
    <div class="sizing-editor">
      <div class="row">
        <Field form={form} name="scaling.cpu" label="CPU">
          <select
            {...form.control('scaling.cpu')}
            value={String(draft.cpu)}
            onChange={(e) => onChange(withCpu(draft, Number(e.currentTarget.value)))}
          >
            {CPU_CHOICES.map((cpu) => (
              <option key={cpu} value={String(cpu)}>
                {cpuLabel(cpu)} ({cpu})
              </option>
            ))}
          </select>
        </Field>
        <Field form={form} name="scaling.memory" label="Memory" hint="what Fargate allows with this CPU">
          <select
            {...form.control('scaling.memory')}
            value={String(draft.memory)}
            onChange={(e) => set({ memory: Number(e.currentTarget.value) })}
          >
            {memoryChoices(draft.cpu).map((memory) => (
              <option key={memory} value={String(memory)}>
                {memoryLabel(memory)}
              </option>
            ))}
          </select>
        </Field>
        <Field form={form} name="scaling.desiredCount" label="Tasks" hint="0 to 100">
          <input
            {...form.control('scaling.desiredCount')}
            type="number"
            min={0}
            max={100}
            value={draft.desiredCount}
            onInput={(e) => set({ desiredCount: e.currentTarget.value })}
          />
        </Field>
      </div>
      <label class="check">
        <input
          type="checkbox"
          name="autoscaling"
          checked={draft.autoscaling}
          onChange={(e) => set({ autoscaling: e.currentTarget.checked })}
        />{' '}
        Autoscaling on CPU between a minimum and a maximum
      </label>
      {draft.autoscaling && (
        <div class="row">
          <Field form={form} name="scaling.minCount" label="Minimum tasks">
            <input
              {...form.control('scaling.minCount')}
              type="number"
              min={0}
              max={100}
              value={draft.minCount}
              onInput={(e) => set({ minCount: e.currentTarget.value })}
            />
          </Field>
          <Field form={form} name="scaling.maxCount" label="Maximum tasks">
            <input
              {...form.control('scaling.maxCount')}
              type="number"
              min={0}
              max={100}
              value={draft.maxCount}
              onInput={(e) => set({ maxCount: e.currentTarget.value })}
            />
          </Field>
          <Field
            form={form}
            name="scaling.targetCpuPercent"
            label="Target CPU (%)"
            hint="average over the tasks"
          >
            <input
              {...form.control('scaling.targetCpuPercent')}
              type="number"
              min={1}
              max={100}
              value={draft.targetCpuPercent}
              onInput={(e) => set({ targetCpuPercent: e.currentTarget.value })}
            />
          </Field>
        </div>
      )}
      <FieldErrorOf form={form} name="scaling" />
      <Field
        form={form}
        name="healthCheckPath"
        label="Health check path"
        hint={
          loadBalancer
            ? 'the load balancer asks each task for it; a 2xx or 3xx answer is healthy'
            : 'used once the stage has a load balancer'
        }
      >
        <input
          {...form.control('healthCheckPath')}
          value={draft.healthCheckPath}
          placeholder="/"
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => set({ healthCheckPath: e.currentTarget.value })}
        />
      </Field>
      {loadBalancer ? (
        <fieldset>
          <legend>Rollback alarms</legend>
          <p class="hint">
            A deployment during which one goes into ALARM is rolled back by ECS, and the stack update with it.
            Leave both empty for none.
          </p>
          <div class="row">
            <Field
              form={form}
              name="rollbackAlarms.http5xxPercent"
              label="5xx answers above (%)"
              hint="of the requests, per minute"
            >
              <input
                {...form.control('rollbackAlarms.http5xxPercent')}
                type="number"
                min={0.1}
                max={100}
                step="any"
                value={draft.http5xxPercent}
                onInput={(e) => set({ http5xxPercent: e.currentTarget.value })}
              />
            </Field>
            <Field form={form} name="rollbackAlarms.unhealthyHosts" label="Unhealthy tasks reaching">
              <input
                {...form.control('rollbackAlarms.unhealthyHosts')}
                type="number"
                min={1}
                max={100}
                value={draft.unhealthyHosts}
                onInput={(e) => set({ unhealthyHosts: e.currentTarget.value })}
              />
            </Field>
          </div>
          <FieldErrorOf form={form} name="rollbackAlarms" />
        </fieldset>
      ) : (
        <p class="hint">Rollback alarms watch the load balancer: they are offered once the stage has one.</p>
      )}
    </div>
  );
}
